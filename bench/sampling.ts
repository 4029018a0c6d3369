/**
 * The `sampling` suite: how fast complexity is counted, candidates are drawn and constrained
 * models are accepted, on the example space file (examples/space.regnet.yaml).
 */
import * as path from 'node:path';

import { complexity } from '../src/core/complexity';
import type { ModelSpec } from '../src/core/model';
import { expandModel } from '../src/core/modelSpec';
import { Rng } from '../src/core/sampling/rng';
import { formatBound, sampleFile, sampleSpace } from '../src/core/sampling/sampler';
import { candidateDrawer } from '../src/core/sampling/spaceSampler';
import { formatDiagnostic, readSpaceFile } from '../src/core/space';
import { deriveSpaceSeed } from '../src/core/space/seed';
import type { ResolvedSpaceFile } from '../src/core/space/types';
import { elapsedMs, medianOf, rate, type Figure, type Rate, type Suite } from './measure';

/** The example the README runs, relative to the compiled file (out/bench/sampling.js). */
export const EXAMPLE = path.join(__dirname, '..', '..', 'examples', 'space.regnet.yaml');

/** RegNetX-200MF (pycls dds_baselines) and its exact flops, as a check that we time the right thing. */
const REGNETX_200MF: ModelSpec = { regnet: { depth: 13, w0: 24, wa: 36.44, wm: 2.49, groupWidth: 8, bottleneck: 1 } };
const REGNETX_200MF_FLOPS = 199040872;

/** Models per sampleSpace call in the acceptance figures. */
const MODELS_PER_CALL = 100;

function loadExample(): ResolvedSpaceFile {
  const { diagnostics, resolved } = readSpaceFile(EXAMPLE);
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (!resolved || errors.length > 0) {
    throw new Error(`the example does not load:\n${errors.map((d) => formatDiagnostic(EXAMPLE, d)).join('\n')}`);
  }
  return resolved;
}

function spread(r: Rate): string {
  return `runs ${Math.round(r.min).toLocaleString('en-US')}–${Math.round(r.max).toLocaleString('en-US')}`;
}

function complexityRate(spec: ModelSpec): Rate {
  return rate((n) => {
    for (let i = 0; i < n; i++) complexity(expandModel(spec));
  });
}

function run(): Figure[] {
  const file = loadExample();
  const figures: Figure[] = [];

  const x200 = complexity(expandModel(REGNETX_200MF));
  if (x200.flops !== REGNETX_200MF_FLOPS) throw new Error(`RegNetX-200MF counts ${x200.flops} flops, expected ${REGNETX_200MF_FLOPS}`);
  const r200 = complexityRate(REGNETX_200MF);
  figures.push({ name: 'expand + complexity: RegNetX-200MF', value: r200.median, unit: 'evals/s', note: spread(r200) });

  const anynet = file.spaces.find((s) => s.type === 'anynet');
  if (anynet) {
    const [first] = sampleSpace(anynet, { samples: 1 }).models;
    const ra = complexityRate(first.model);
    const d = first.model.anynet!;
    figures.push({ name: `expand + complexity: ${anynet.name} model`, value: ra.median, unit: 'evals/s', note: `d ${d.depths}, w ${d.widths}; ${spread(ra)}` });
  }

  for (const space of file.spaces) {
    const draw = candidateDrawer(space);
    const rng = new Rng(space.seed);
    let structural = 0;
    let total = 0;
    const r = rate((n) => {
      for (let i = 0; i < n; i++) if ('rejected' in draw(rng)) structural++;
      total += n;
    });
    figures.push({
      name: `candidate draws: ${space.name}`,
      value: r.median,
      unit: 'draws/s',
      note: `draw + structural checks + expansion; ${((100 * structural) / total).toFixed(1)}% rejected before counting`,
    });
  }

  for (const space of file.spaces) {
    // Each call its own stream (seeds 1, 2, …), each of MODELS_PER_CALL models: enough to time,
    // few enough that duplicates stay rare (RegNetX has only ~2,200 distinct models under 2–6 MF).
    let seed = 1;
    let attempts = 0;
    let accepted = 0;
    const rejections: Record<string, number> = {};
    const calls = rate((n) => {
      for (let i = 0; i < n; i++) {
        const s = sampleSpace(space, { samples: MODELS_PER_CALL, seed: deriveSpaceSeed(seed++, space.name), maxAttempts: 1e9 });
        attempts += s.attempts;
        accepted += s.models.length;
        for (const [reason, count] of Object.entries(s.rejections)) rejections[reason] = (rejections[reason] ?? 0) + count;
      }
    });
    const constraint = space.constraints.flops ? `flops in [${space.constraints.flops.map(formatBound).join(', ')}]` : 'no flops constraint';
    figures.push({
      name: `accepted models: ${space.name}`,
      value: calls.median * MODELS_PER_CALL,
      unit: 'models/s',
      note: `${constraint}; ${MODELS_PER_CALL} models per call`,
    });
    figures.push({ name: `sampling attempts: ${space.name}`, value: (calls.median * MODELS_PER_CALL * attempts) / accepted, unit: 'attempts/s' });
    const top = Object.entries(rejections)
      .sort((a, b) => b[1] - a[1])
      .map(([reason, count]) => `${reason} ${((100 * count) / attempts).toFixed(1)}%`)
      .join(', ');
    figures.push({ name: `acceptance: ${space.name}`, value: (100 * accepted) / attempts, unit: '%', note: `${accepted} of ${attempts} attempts; rejected ${top}` });
  }

  const whole = medianOf(
    () => elapsedMs(() => sampleFile(file)),
    (t) => t.ms,
  );
  const n = whole.results[0].result.reduce((a, s) => a + s.models.length, 0);
  figures.push({ name: 'sample the example as `dslab sample` does', value: whole.median, unit: 'ms', note: `${n} models from ${file.spaces.length} spaces` });
  return figures;
}

export const samplingSuite: Suite = {
  name: 'sampling',
  summary: 'complexity evaluations, candidate draws and constrained sampling on the example space file',
  run,
};
