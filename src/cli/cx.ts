/** `dslab cx MODEL`: exact flops / params / acts and the stages of one model. */
import * as fs from 'node:fs';

import { blockWidths } from '../core/anynet';
import { complexity, type Complexity } from '../core/complexity';
import type { ExpandedModel } from '../core/model';
import { expandModel, ModelSpecError, normalizeModelSpec, type NormalizedModelSpec } from '../core/modelSpec';
import { generateRegnet } from '../core/regnet';
import { roundHalfEven } from '../core/rounding';
import { intFlag, parseCommandArgs, printJson, UsageError, UserError, type Command, type Io } from './command';
import { formatCount } from '../core/presentation/modelTable';
import { table } from '../core/presentation/table';

const HELP = `Usage: dslab cx MODEL [--resolution N] [--json]

Exact flops (multiply-adds), params and activations of one model, counted as pycls counts
them, with its stages after the width/group compatibility adjustment.

MODEL is inline JSON or a path to a JSON file:
  {"regnet": {"depth", "w0", "wa", "wm", "groupWidth", "bottleneck"[, "stride" | "strides"]}, ...}
  {"anynet": {"depths", "widths", "strides", "bottlenecks", "groupWidths"}, ...}
plus optional "stem" {"type": cifar|imagenet|resnet, "width"} (default imagenet, 32),
"block" X|Y|R|V (default X), "se" (default 0; 0.25 for Y), "activation" relu|swish
(relu; it does not change the counts), "resolution" (224), "classes" (1000),
"channels" (3), "headWidth" (0).

Options:
  --resolution N  evaluate at input resolution N instead of the model's
  --json          print one JSON document: flops, params, acts, stages, model, parts,
                  blockWidths (and regnet: numStages, totalStages)

Example:
  dslab cx '{"regnet":{"depth":13,"w0":24,"wa":36.44,"wm":2.49,"groupWidth":8,"bottleneck":1}}'
`;

// ------------------------------------------------------------------ reading MODEL

/**
 * Offset of the first character where `text` stops being valid JSON (text.length when it ends
 * early), or -1 if it is valid. V8's messages do not always carry a position, so we find it.
 */
export function jsonErrorOffset(text: string): number {
  let i = 0;
  const fail = (): never => {
    throw i;
  };
  const ws = (): void => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  const string = (): void => {
    i++; // opening quote
    for (;;) {
      const c = text[i];
      if (c === undefined || c < ' ') fail();
      if (c === '"') {
        i++;
        return;
      }
      if (c === '\\') {
        i++;
        const e = text[i];
        if (e !== undefined && '"\\/bfnrt'.includes(e)) i++;
        else if (e === 'u') {
          i++;
          for (let k = 0; k < 4; k++, i++) if (!/[0-9a-fA-F]/.test(text[i] ?? '')) fail();
        } else fail();
      } else i++;
    }
  };
  const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']';
      i++;
      ws();
      if (text[i] === close) {
        i++;
        return;
      }
      for (;;) {
        if (c === '{') {
          ws();
          if (text[i] !== '"') fail();
          string();
          ws();
          if (text[i] !== ':') fail();
          i++;
        }
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === close) {
          i++;
          return;
        } else fail();
      }
    }
    if (c === '"') return string();
    for (const literal of ['true', 'false', 'null']) {
      if (text.startsWith(literal, i)) {
        i += literal.length;
        return;
      }
    }
    NUMBER.lastIndex = i;
    if (NUMBER.test(text)) i = NUMBER.lastIndex;
    else fail();
  };
  try {
    value();
    ws();
    return i < text.length ? i : -1;
  } catch (at) {
    if (typeof at === 'number') return at;
    throw at;
  }
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: before[before.length - 1].length + 1 };
}

/** Parses MODEL text; a syntax error becomes a UserError with the parser's message and where it is. */
function parseModelJson(text: string, file: string | undefined): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const message = (err as Error).message.replace(/ in JSON at position \d+.*$/s, '');
    let offset = -1;
    try {
      offset = jsonErrorOffset(text);
    } catch {
      // absurdly deep nesting: report the message alone
    }
    if (offset < 0) throw new UserError(`invalid JSON${file ? ` in ${file}` : ''}: ${message}`);
    const { line, column } = lineColumn(text, offset);
    throw new UserError(
      file
        ? `${file}:${line}:${column}: invalid JSON: ${message}`
        : `invalid JSON in MODEL at line ${line}, column ${column} (position ${offset}): ${message}`,
    );
  }
}

/** MODEL as inline JSON (it starts with '{' or '[') or as a path to a JSON file. */
function readModelArgument(arg: string): { input: unknown; file?: string } {
  if (/^\s*[{[]/.test(arg)) return { input: parseModelJson(arg, undefined) };
  let text: string;
  try {
    text = fs.readFileSync(arg, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (err as Error).message;
    throw new UserError(`cannot read model file '${arg}': ${why} (MODEL is inline JSON or a path to a JSON file)`);
  }
  return { input: parseModelJson(text, arg), file: arg };
}

// ------------------------------------------------------------------ output

/** 199040872 → "199.04 MF", 3176622952 → "3.18 GF". */
export function formatFlops(n: number): string {
  return n >= 1e9 ? `${(n / 1e9).toFixed(2)} GF` : `${(n / 1e6).toFixed(2)} MF`;
}

function describeModel(spec: NormalizedModelSpec): string {
  const block = `block ${spec.block}${spec.se > 0 ? ` with SE ${spec.se}` : ''}`;
  if (spec.regnet) {
    const r = spec.regnet;
    return `RegNet (${block}): depth ${r.depth}, w0 ${r.w0}, wa ${r.wa}, wm ${r.wm}, group width ${r.groupWidth}, bottleneck ${r.bottleneck}`;
  }
  return `AnyNet (${block}), ${spec.anynet?.depths.length} stages`;
}

function human(spec: NormalizedModelSpec, model: ExpandedModel, cx: Complexity, stageCounts: { numStages: number; totalStages: number } | undefined): string {
  const lines: string[] = [];
  lines.push(describeModel(spec));
  lines.push(
    `stem ${model.stem.type} (width ${model.stem.width}), input ${model.channels}×${model.resolution}×${model.resolution}, ` +
      `${model.classes} classes${model.headWidth > 0 ? `, head width ${model.headWidth}` : ''}`,
  );
  if (stageCounts && stageCounts.numStages !== stageCounts.totalStages) {
    lines.push(
      `note: the parameters span ${stageCounts.totalStages} stages but only ${stageCounts.numStages} have distinct widths ` +
        `(pycls's sweep sampler rejects such models)`,
    );
  }
  lines.push('');
  lines.push(`flops   ${formatFlops(cx.flops)} (${cx.flops})`);
  lines.push(`params  ${formatCount(cx.params)} (${cx.params})`);
  lines.push(`acts    ${formatCount(cx.acts)} (${cx.acts})`);
  lines.push('');
  const bottleneckBlock = model.block === 'X' || model.block === 'Y';
  const stageRows: (string | number)[][] = [['stage', 'width', 'depth', 'group width', 'groups', 'bottleneck', 'stride']];
  model.stages.forEach((s, i) => {
    const groups = bottleneckBlock ? Math.floor(roundHalfEven(s.width * (1 / s.bottleneck)) / s.groupWidth) : '-';
    stageRows.push([`s${i + 1}`, s.width, s.depth, bottleneckBlock ? s.groupWidth : '-', groups, bottleneckBlock ? s.bottleneck : '-', s.stride]);
  });
  lines.push(table(stageRows, 1));
  lines.push('');
  const partRows: (string | number)[][] = [['part', 'flops', 'params', 'acts']];
  for (const p of cx.parts) partRows.push([p.name, p.flops, p.params, p.acts]);
  partRows.push(['total', cx.flops, cx.params, cx.acts]);
  lines.push(table(partRows, 1));
  return lines.join('\n') + '\n';
}

// ------------------------------------------------------------------ command

export const cxCommand: Command = {
  name: 'cx',
  summary: 'flops, params and acts of one model (RegNet or AnyNet JSON)',
  help: HELP,
  run(argv: string[], io: Io): number {
    const { values, positionals } = parseCommandArgs(argv, { resolution: { type: 'string' } });
    if (positionals.length === 0) throw new UsageError('missing MODEL (inline JSON or a path to a JSON file)');
    if (positionals.length > 1) throw new UsageError(`expected one MODEL, got ${positionals.length} arguments`);
    const resolution = intFlag('resolution', values.resolution, 1);

    const { input, file } = readModelArgument(positionals[0]);
    const withResolution =
      resolution !== undefined && typeof input === 'object' && input !== null && !Array.isArray(input) ? { ...input, resolution } : input;

    let spec: NormalizedModelSpec;
    let model: ExpandedModel;
    try {
      spec = normalizeModelSpec(withResolution);
      model = expandModel(spec);
    } catch (err) {
      if (err instanceof ModelSpecError) throw new UserError(file ? `${file}: ${err.message}` : err.message);
      throw err;
    }
    const cx = complexity(model);
    for (const key of ['flops', 'params', 'acts'] as const) {
      if (!Number.isSafeInteger(cx[key])) {
        throw new UserError(`the model is too large to count exactly: its ${key} (${cx[key].toExponential(3)}) exceed 2^53`);
      }
    }
    const stageCounts = spec.regnet ? generateRegnet(spec.regnet) : undefined;

    if (values.json) {
      printJson(io, {
        flops: cx.flops,
        params: cx.params,
        acts: cx.acts,
        stages: model.stages.map((s) => ({ width: s.width, depth: s.depth, groupWidth: s.groupWidth, bottleneck: s.bottleneck, stride: s.stride })),
        model: spec,
        parts: cx.parts,
        blockWidths: blockWidths(model),
        ...(stageCounts ? { regnet: { numStages: stageCounts.numStages, totalStages: stageCounts.totalStages } } : {}),
      });
    } else {
      io.stdout(human(spec, model, cx, stageCounts));
    }
    return 0;
  },
};
