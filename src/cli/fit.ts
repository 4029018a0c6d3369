/** `dslab fit WIDTHS`: the quantized linear fit (w0, wa, wm, e_fit) of a per-block width list. */
import { fitQuantizedLinear, type WidthFit } from '../core/analysis/fit';
import { parseCommandArgs, printJson, UsageError, UserError, type Command, type Io } from './command';
import { count, groupThousands } from '../core/presentation/counts';
import { tableLines } from '../core/presentation/table';

const HELP = `Usage: dslab fit WIDTHS [--snap 8|0] [--json]

Fits the RegNet paper's quantized linear model to the width of every block of a network:
the (w0, wa, wm) whose generated block widths ŵ_j are closest to the observed w_j, with
e_fit = mean over blocks of |ln(ŵ_j / w_j)| (0 for the widths of a RegNet). Searched on the
grid w0 = 8, 16, …, 256; wm = 1.50, 1.51, …, 3.00; wa = 0.1, 0.2, …, 256.0.

WIDTHS lists the block widths in order: comma- or space-separated, as one argument or
several, or a JSON array.

Options:
  --snap N  8 (default): predicted widths are multiples of 8, as pycls generates them;
            0: the paper's unsnapped w0·wm^k
  --json    print one JSON document: w0, wa, wm, efit, predicted, widths

Examples:
  dslab fit 24,56,152,152,152,152,368,368,368,368,368,368,368
  dslab fit 48 48 96 96 96 192
  dslab fit '[64, 128, 128, 256]' --json
`;

const DECIMAL = /^\+?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** The widest block a fit takes: far beyond any network's (pycls's widest is 4,000 or so), and where the fit's grid (w0 ≤ 256, wa ≤ 256, wm ≤ 3) still means something. */
export const MAX_WIDTH = 65536;

/** The widths of WIDTHS (all positionals), or a UserError naming the first bad item (counted from 1). */
export function parseWidths(positionals: readonly string[]): number[] {
  const text = positionals.join(' ').trim();
  if (text === '') throw new UsageError('WIDTHS is empty: give the width of every block');
  const bad = (i: number, item: string): UserError => new UserError(`item ${i + 1} '${item}' is not a positive number`);
  const tooWide = (i: number, w: number): UserError => new UserError(`item ${i + 1} (${w}) is wider than ${groupThousands(MAX_WIDTH)} channels, more than any block can be`);
  if (text.startsWith('[')) {
    let items: unknown;
    try {
      items = JSON.parse(text);
    } catch (err) {
      throw new UserError(`WIDTHS is not a valid JSON array: ${(err as Error).message}`);
    }
    if (!Array.isArray(items)) throw new UserError('WIDTHS is not a valid JSON array');
    if (items.length === 0) throw new UserError('WIDTHS is an empty array: nothing to fit');
    return items.map((item, i) => {
      if (typeof item !== 'number' || !Number.isFinite(item) || item <= 0) throw bad(i, JSON.stringify(item));
      if (item > MAX_WIDTH) throw tooWide(i, item);
      return item;
    });
  }
  return text.split(/\s*,\s*|\s+/).map((item, i) => {
    const w = DECIMAL.test(item) ? Number(item) : NaN;
    if (!Number.isFinite(w) || w <= 0) throw bad(i, item);
    if (w > MAX_WIDTH) throw tooWide(i, w);
    return w;
  });
}

function number(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(2);
}

function human(fit: WidthFit, widths: readonly number[]): string {
  const lines = [
    `Quantized linear fit of ${count(widths.length, 'block width')}:`,
    `  w0 = ${fit.w0}   wa = ${fit.wa}   wm = ${fit.wm}`,
    `  e_fit = ${fit.efit.toFixed(4)}   stages = ${fit.stages}`,
    '',
  ];
  const rows = widths.map((w, j) => [String(j), number(w), number(fit.predicted[j])]);
  const head = ['block', 'observed', 'predicted'];
  for (const line of tableLines([head, ...rows], 0)) lines.push('  ' + line);
  return lines.join('\n') + '\n';
}

export const fitCommand: Command = {
  name: 'fit',
  summary: 'quantized linear fit of per-block widths: w0, wa, wm, e_fit',
  help: HELP,
  run(argv: string[], io: Io): number {
    const { values, positionals } = parseCommandArgs(argv, { snap: { type: 'string' } });
    if (positionals.length === 0) throw new UsageError('missing WIDTHS (the width of every block, e.g. 24,56,152,368)');
    if (values.snap !== undefined && values.snap !== '8' && values.snap !== '0') {
      throw new UsageError(`--snap must be 8 or 0, got '${values.snap}'`);
    }
    const snap = values.snap === '0' ? 0 : 8;
    const widths = parseWidths(positionals);
    const fit = fitQuantizedLinear(widths, { snap });
    if (values.json) printJson(io, { w0: fit.w0, wa: fit.wa, wm: fit.wm, efit: fit.efit, predicted: fit.predicted, widths });
    else io.stdout(human(fit, widths));
    return 0;
  },
};
