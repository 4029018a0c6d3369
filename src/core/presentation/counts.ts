/** Counted nouns for messages: "1 trial", "3 trials", "25,000 jobs". */

/** Groups digits by thousands: 199870 → "199,870" (independent of the host's locale). */
export function groupThousands(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** The noun for `n` of it: `plural(3, 'trial')` → "trials"; `many` for an irregular plural. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return n === 1 ? one : many;
}

/** `n` and its noun: `count(1, 'worker')` → "1 worker", `count(25000, 'job')` → "25,000 jobs". */
export function count(n: number, one: string, many = `${one}s`): string {
  return `${groupThousands(n)} ${plural(n, one, many)}`;
}
