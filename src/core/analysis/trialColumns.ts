/**
 * A space's trial rows as columns, the form they travel to the Results panel in: one array per
 * field instead of one object per trial, so that 25,000 rows do not repeat their keys 25,000
 * times (about 3 MB instead of 8 as JSON, and cheap to clone and parse). Strings that repeat
 * (status, block, activation) are stored once with a code per trial.
 */
import type { TrialRow, PanelAnalysis, PanelSpace } from './panelData';

/** Repeated strings: the distinct values and each trial's index into them. */
export interface Category<T extends string = string> {
  values: T[];
  codes: number[];
}

export interface TrialColumns {
  index: number[];
  status: Category<TrialRow['status']>;
  error: (number | null)[];
  flops: number[];
  params: number[];
  acts: number[];
  wallSeconds: number[];
  epochCount: number[];
  lossSteps: number[];
  blocks: number[];
  block: Category;
  activation: Category;
  /** Every metric name, in the order the trials first have them. */
  metricKeys: string[];
  /** Per metric, each trial's value (null: the trial lacks it); flops, params and acts are absent here when they are the columns above. */
  metrics: Record<string, (number | null)[]>;
  /** Notes by row position. */
  notes: Record<number, string>;
}

export interface PackedPanelSpace extends Omit<PanelSpace, 'trials'> {
  trials: TrialColumns;
}

export interface PackedPanelAnalysis extends Omit<PanelAnalysis, 'spaces'> {
  spaces: PackedPanelSpace[];
}

function category<T extends string>(values: readonly T[]): Category<T> {
  const distinct: T[] = [];
  const at = new Map<T, number>();
  const codes = values.map((v) => {
    let code = at.get(v);
    if (code === undefined) {
      code = distinct.length;
      distinct.push(v);
      at.set(v, code);
    }
    return code;
  });
  return { values: distinct, codes };
}

/** The complexity columns that a metric of the same name repeats. */
const COMPLEXITY = ['flops', 'params', 'acts'] as const;

export function packTrials(rows: readonly TrialRow[]): TrialColumns {
  const metricKeys: string[] = [];
  const seen = new Set<string>();
  for (const r of rows) {
    for (const k of Object.keys(r.metrics)) {
      if (!seen.has(k)) {
        seen.add(k);
        metricKeys.push(k);
      }
    }
  }
  const metrics: Record<string, (number | null)[]> = {};
  for (const k of metricKeys) {
    const repeats = (COMPLEXITY as readonly string[]).includes(k) && rows.every((r) => r.metrics[k] === r[k as (typeof COMPLEXITY)[number]]);
    if (!repeats) metrics[k] = rows.map((r) => (k in r.metrics ? r.metrics[k] : null));
  }
  const notes: Record<number, string> = {};
  rows.forEach((r, i) => {
    if (r.note !== undefined) notes[i] = r.note;
  });
  return {
    index: rows.map((r) => r.index),
    status: category(rows.map((r) => r.status)),
    error: rows.map((r) => r.error),
    flops: rows.map((r) => r.flops),
    params: rows.map((r) => r.params),
    acts: rows.map((r) => r.acts),
    wallSeconds: rows.map((r) => r.wallSeconds),
    epochCount: rows.map((r) => r.epochCount),
    lossSteps: rows.map((r) => r.lossSteps),
    blocks: rows.map((r) => r.blocks),
    block: category(rows.map((r) => r.labels.block)),
    activation: category(rows.map((r) => r.labels.activation)),
    metricKeys,
    metrics,
    notes,
  };
}

export function unpackTrials(space: string, c: TrialColumns): TrialRow[] {
  const columns = c.metricKeys.map((k) => [k, c.metrics[k] ?? c[k as (typeof COMPLEXITY)[number]]] as const);
  return c.index.map((index, i) => {
    const metrics: Record<string, number> = {};
    for (const [k, values] of columns) {
      const v = values[i];
      if (v !== null) metrics[k] = v;
    }
    const row: TrialRow = {
      space,
      index,
      status: c.status.values[c.status.codes[i]],
      error: c.error[i],
      flops: c.flops[i],
      params: c.params[i],
      acts: c.acts[i],
      metrics,
      labels: { block: c.block.values[c.block.codes[i]], activation: c.activation.values[c.activation.codes[i]] },
      wallSeconds: c.wallSeconds[i],
      epochCount: c.epochCount[i],
      lossSteps: c.lossSteps[i],
      blocks: c.blocks[i],
    };
    const note = c.notes[i];
    if (note !== undefined) row.note = note;
    return row;
  });
}

export function packPanelAnalysis(a: PanelAnalysis): PackedPanelAnalysis {
  return { ...a, spaces: a.spaces.map((s) => ({ ...s, trials: packTrials(s.trials) })) };
}

export function unpackPanelAnalysis(a: PackedPanelAnalysis): PanelAnalysis {
  return { ...a, spaces: a.spaces.map((s) => ({ ...s, trials: unpackTrials(s.name, s.trials) })) };
}

const isArrayOf = (x: unknown, n: number): boolean => Array.isArray(x) && x.length === n;
const isCategory = (x: unknown, n: number): boolean => typeof x === 'object' && x !== null && Array.isArray((x as Category).values) && isArrayOf((x as Category).codes, n);

/** Whether `x` has the shape of packed trials (every column as long as `index`); the values are not checked one by one. */
export function isTrialColumns(x: unknown): x is TrialColumns {
  if (typeof x !== 'object' || x === null) return false;
  const c = x as Record<string, unknown>;
  if (!Array.isArray(c.index)) return false;
  const n = c.index.length;
  const columns = ['error', 'flops', 'params', 'acts', 'wallSeconds', 'epochCount', 'lossSteps', 'blocks'];
  if (!columns.every((k) => isArrayOf(c[k], n)) || !['status', 'block', 'activation'].every((k) => isCategory(c[k], n))) return false;
  if (!Array.isArray(c.metricKeys) || typeof c.metrics !== 'object' || c.metrics === null || typeof c.notes !== 'object' || c.notes === null) return false;
  const metrics = c.metrics as Record<string, unknown>;
  return (c.metricKeys as unknown[]).every((k) => typeof k === 'string' && (isArrayOf(metrics[k], n) || (k in metrics === false && (COMPLEXITY as readonly string[]).includes(k))));
}
