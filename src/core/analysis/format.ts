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
  if (Number.isInteger(x)) return String(x);
  // Small values (a weight decay of 5e-5, an lr of 0.003) keep three significant digits.
  return Math.abs(x) < 0.1 ? String(Number(x.toPrecision(3))) : x.toFixed(2);
}

/** A signed number with a real minus sign: −1.8, +0.4. */
export function signed(x: number, digits = 1): string {
  const s = Math.abs(x).toFixed(digits);
  if (Number(s) === 0) return s;
  return (x < 0 ? '−' : '+') + s;
}

/** A p-value as people read it: p = 0.03, p = 0.62, p < 0.001. */
export function formatP(p: number): string {
  // Three significant digits below 0.1, so a p near the 0.05 threshold never shows on the wrong side of it.
  return p < 0.001 ? 'p < 0.001' : `p = ${p < 0.1 ? p.toPrecision(3) : p.toFixed(2)}`;
}

/** A sequential round's level as text: "α₂ = 0.0125". */
export function roundLevel(round: number, alpha: number): string {
  const sub = String(round).replace(/\d/g, (c) => '₀₁₂₃₄₅₆₇₈₉'[Number(c)]);
  return `α${sub} = ${Number(alpha.toPrecision(3))}`;
}

