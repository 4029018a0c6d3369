/**
 * Timing helpers shared by the benchmark suites: warm-up, then the median of several timed
 * runs, each long enough for the clock's resolution not to matter.
 */
import { median } from '../src/core/analysis/statistics';

/** One measured figure of a suite. */
export interface Figure {
  name: string;
  value: number;
  unit: string;
  /** Context a reader needs to interpret the value (what was measured, acceptance, spread). */
  note?: string;
}

/** A named group of figures; `bench` runs the suites named on its command line (all by default). */
export interface Suite {
  name: string;
  summary: string;
  run(): Figure[] | Promise<Figure[]>;
}

export interface RateOptions {
  /** Time spent calling the workload before measuring, to let the JIT settle (ms). */
  warmupMs?: number;
  /** Measured runs; the median is reported. */
  runs?: number;
  /** Target duration of one run (ms). */
  runMs?: number;
}

export interface Rate {
  /** Median operations per second over the runs. */
  median: number;
  min: number;
  max: number;
}

function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/**
 * Operations per second of `batch(n)`, which performs n operations. The batch size is grown
 * during warm-up until one batch takes about `runMs`.
 */
export function rate(batch: (n: number) => void, options: RateOptions = {}): Rate {
  const { warmupMs = 300, runs = 5, runMs = 300 } = options;
  let n = 1;
  let elapsed = 0;
  const warmEnd = nowMs() + warmupMs;
  do {
    const t = nowMs();
    batch(n);
    elapsed = nowMs() - t;
    if (elapsed < runMs / 2) n *= 2;
  } while (nowMs() < warmEnd || elapsed < runMs / 2);
  n = Math.max(1, Math.round((n * runMs) / Math.max(elapsed, 1e-3)));
  const rates: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t = nowMs();
    batch(n);
    rates.push((n * 1000) / (nowMs() - t));
  }
  return { median: median(rates), min: Math.min(...rates), max: Math.max(...rates) };
}

/** The median of `runs` measurements of `run()` after `warmup` discarded ones. */
export function medianOf<T>(run: (i: number) => T, value: (t: T) => number, runs = 5, warmup = 1): { median: number; results: T[] } {
  for (let i = 0; i < warmup; i++) run(-1 - i);
  const results: T[] = [];
  for (let i = 0; i < runs; i++) results.push(run(i));
  return { median: median(results.map(value)), results };
}

export function elapsedMs<T>(fn: () => T): { result: T; ms: number } {
  const t = nowMs();
  const result = fn();
  return { result, ms: nowMs() - t };
}

/**
 * The body of a measuring child process (`node suite.js child JOB`): runs `measure` on the JSON
 * job, prints its result as one JSON line and exits at once (a backend may keep handles open).
 */
export function serveChild<J, R>(job: string, measure: (job: J) => Promise<R>): void {
  measure(JSON.parse(job) as J).then(
    (r) => {
      process.stdout.write(JSON.stringify(r) + '\n');
      process.exit(0);
    },
    (e) => {
      process.stderr.write(`${(e as Error).stack ?? e}\n`);
      process.exit(1);
    },
  );
}
