/** Numbers and trials as the views write them. */
import type { TrialSummary } from '../src/core/analysis/sweepAnalysis';

/** 1234567 → 1.23M. */
export function count(x: number): string {
  for (const [f, u] of [
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'k'],
  ] as const) {
    if (Math.abs(x) >= f) return `${(x / f).toFixed(2)}${u}`;
  }
  return String(x);
}

/** A model property as its axis shows it. */
export function metricText(key: string, x: number): string {
  if (key === 'flops' || key === 'params' || key === 'acts') return count(x);
  if (key === 'efit') return x.toFixed(3);
  return Number.isInteger(x) ? String(x) : x.toFixed(2);
}

/** The label of a property: e_fit as the paper writes it. */
export const metricLabel = (key: string): string => (key === 'efit' ? 'e_fit' : key);

/** A number with fixed digits, '–' when missing. */
export function fixed(x: number | null | undefined, digits = 2): string {
  return x === null || x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(digits);
}

/** The width chart's caption: the model's complexity, stages and width line. */
export function caption(t: TrialSummary): string {
  const parts = [`${t.space} #${t.index}`, t.error !== null ? `error ${t.error.toFixed(2)}%` : t.status, `flops ${count(t.flops)}`, `params ${count(t.params)}`, `acts ${count(t.acts)}`, `d = ${t.blockWidths.length}`];
  const starts = [...t.stageStarts, t.blockWidths.length];
  const depths = t.stageStarts.map((start, i) => starts[i + 1] - start);
  if (depths.length > 0) parts.push(`d_i = [${depths.join(', ')}]`, `w_i = [${t.stageStarts.map((start) => t.blockWidths[start]).join(', ')}]`);
  const m = t.metrics;
  if ('g' in m) parts.push(`g = ${m.g}`, `b = ${m.b}`);
  if (t.line) {
    const what = t.line.source === 'fit' ? 'quantized linear fit' : 'RegNet';
    parts.push(`${what}: w0 = ${t.line.w0}, wa = ${t.line.wa}, wm = ${t.line.wm}, e_fit = ${t.line.efit.toFixed(3)}`);
  }
  return parts.join(' · ');
}

/** A trial in a list: "A #3 (12.50%)". */
export function trialLabel(t: TrialSummary): string {
  return `${t.space} #${t.index} (${t.error !== null ? `${t.error.toFixed(2)}%` : t.status})`;
}
