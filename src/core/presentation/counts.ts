/** Counted nouns for messages: "1 trial", "3 trials". */

/** The noun for `n` of it: `plural(3, 'trial')` → "trials"; `many` for an irregular plural. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return n === 1 ? one : many;
}

/** `n` and its noun: `count(1, 'worker')` → "1 worker", `count(2, 'pair')` → "2 pairs". */
export function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${plural(n, one, many)}`;
}
