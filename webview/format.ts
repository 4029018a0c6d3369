/** Numbers and trials as the views write them. */
import type { DetailedTrial, TrialRow } from '../src/core/analysis/panelData';

import { compactCount } from '../src/core/analysis/format';

export { compactCount, fixed, metricText } from '../src/core/analysis/format';

/** The label of a property: e_fit as the paper writes it. */
export const metricLabel = (key: string): string => (key === 'efit' ? 'e_fit' : key);

/** The width chart's caption: the model's complexity, stages and width line. */
export function caption(t: DetailedTrial): string {
  const parts = [`${t.space} #${t.index}`, t.error !== null ? `error ${t.error.toFixed(2)}%` : t.status, `flops ${compactCount(t.flops)}`, `params ${compactCount(t.params)}`, `acts ${compactCount(t.acts)}`, `d = ${t.blockWidths.length}`];
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
export function trialLabel(t: TrialRow): string {
  return `${t.space} #${t.index} (${t.error !== null ? `${t.error.toFixed(2)}%` : t.status})`;
}
