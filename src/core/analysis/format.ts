/**
 * Numbers as the analysis views write them — the terminal table of `dslab analyze`, the HTML
 * report and the Results panel — so all three read the same.
 */

/** 1234567 → 1.23M. */
export function compactCount(x: number): string {
  for (const [f, u] of [
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'k'],
  ] as const) {
    if (Math.abs(x) >= f) return `${(x / f).toFixed(2)}${u}`;
  }
  return String(x);
}

/** A number with fixed digits, '–' when missing. */
export function fixed(x: number | null | undefined, digits = 2): string {
  return x === null || x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(digits);
}

/** A model property's value: counts abbreviated, e_fit with 3 decimals, integers as they are. */
export function metricText(key: string, x: number): string {
  if (key === 'flops' || key === 'params' || key === 'acts') return compactCount(x);
  if (key === 'efit') return x.toFixed(3);
  return Number.isInteger(x) ? String(x) : x.toFixed(2);
}
