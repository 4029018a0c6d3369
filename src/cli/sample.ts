/** `dslab sample FILE`: models drawn from the file's design spaces under its complexity constraints. */
import { modelRows, sampleSummaryLine } from '../core/presentation/modelTable';
import { InvalidCandidateError } from '../core/sampling/spaceSampler';
import { groupThousands } from '../core/presentation/counts';
import {
  sampleFile,
  SamplingError,
  selectSpaces,
  type SamplingProgress,
  type SpaceSample,
} from '../core/sampling/sampler';
import type { DesignSpace } from '../core/space/types';
import { intFlag, parseCommandArgs, printJson, UsageError, UserError, type Command, type Io } from './command';
import { loadSpaceFile } from './spaceFile';
import { bar, StatusLine } from './statusLine';
import { table } from '../core/presentation/table';

const HELP = `Usage: dslab sample FILE [--space S] [--samples N] [--seed K] [--json]

Draws models from the design spaces of a space file, keeping those within the file's
complexity constraints, without repeats. The same file and seed give the same models on any
machine.

Options:
  --space S    only the space named S
  --samples N  models per space, instead of the file's samples
  --seed K     file seed, instead of sampling.seed: every space's seed is re-derived from K
               and the space's name (a seed a space sets itself is replaced too)
  --json       print one JSON document: {file, seed, spaces: [{name, requested, sampled,
               attempts, acceptanceRate, rejections, seed, complete}], models: [{space, index,
               model, flops, params, acts}]}; each model is a spec 'dslab cx' accepts

Exit status: 0 success (fewer models than requested is a warning), 1 an invalid file, an
unknown space, or a space where no model satisfies the constraints, 2 bad usage.

Example:
  dslab sample examples/space.regnet.yaml --space RegNetX --samples 4
`;

/** Progress bars appear only when sampling has already taken this long. */
const PROGRESS_AFTER_MS = 300;

/** Sampling progress (attempts, accepted models, attempts/s) on a status line of stderr. */
class ProgressBar {
  private readonly line: StatusLine;
  private space = '';
  private spaceStarted = Date.now();
  private spaceStartAttempts = 0;

  constructor(io: Io) {
    this.line = new StatusLine(io, PROGRESS_AFTER_MS);
  }

  update(p: SamplingProgress): void {
    const now = Date.now();
    if (p.space !== this.space) {
      this.space = p.space;
      this.spaceStarted = now;
      this.spaceStartAttempts = p.attempts;
    }
    if (!this.line.due()) return;
    const done = Math.max(p.requested === 0 ? 1 : p.accepted / p.requested, p.attempts / p.maxAttempts);
    const perSecond = (p.attempts - this.spaceStartAttempts) / Math.max((now - this.spaceStarted) / 1000, 1e-3);
    this.line.draw(
      `${p.space} ${bar(done)} ` +
        `${p.accepted}/${p.requested} models, ${groupThousands(p.attempts)} attempts, ${groupThousands(Math.round(perSecond))} attempts/s`,
    );
  }

  /** Erases the bar, if one was drawn, so that what follows starts on a clean line. */
  clear(): void {
    this.line.clear();
  }
}

// ------------------------------------------------------------------ human output

function human(spaces: DesignSpace[], samples: SpaceSample[]): string {
  const blocks = samples.map((sample, i) => {
    const space = spaces[i];
    const head = `${space.name} (${space.type}, seed ${sample.seed})`;
    return `${head}\n${table(modelRows(space, sample.models))}\n${sampleSummaryLine(sample)}\n`;
  });
  return blocks.join('\n');
}

// ------------------------------------------------------------------ command

export const sampleCommand: Command = {
  name: 'sample',
  summary: 'sample models from the design spaces of a space file',
  help: HELP,
  run(argv: string[], io: Io): number {
    const { values, positionals } = parseCommandArgs(argv, {
      space: { type: 'string' },
      samples: { type: 'string' },
      seed: { type: 'string' },
    });
    if (positionals.length === 0) throw new UsageError('missing FILE (a space file, e.g. examples/space.regnet.yaml)');
    if (positionals.length > 1) throw new UsageError(`expected one FILE, got ${positionals.length} arguments`);
    const samplesFlag = intFlag('samples', values.samples, 1);
    const seedFlag = intFlag('seed', values.seed, 0);
    if (seedFlag !== undefined && seedFlag > 0xffffffff) throw new UsageError(`--seed must be at most 4294967295, got '${values.seed}'`);
    const file = positionals[0];

    const resolved = loadSpaceFile(file, io);

    const progress = new ProgressBar(io);
    let spaces: DesignSpace[];
    let samples: SpaceSample[];
    try {
      spaces = selectSpaces(resolved, values.space);
      samples = sampleFile(resolved, { space: values.space, samples: samplesFlag, seed: seedFlag, onProgress: (p) => progress.update(p) });
    } catch (err) {
      if (err instanceof SamplingError || err instanceof InvalidCandidateError || err instanceof RangeError) {
        throw new UserError(`${file}: ${err.message}`);
      }
      throw err;
    } finally {
      progress.clear();
    }

    for (const s of samples) {
      if (!s.complete) {
        io.stderr(
          `dslab sample: warning: ${s.space}: only ${s.models.length} of ${s.requested} models after ${groupThousands(s.attempts)} attempts ` +
            `(the attempt limit); widen the constraints or raise maxAttempts\n`,
        );
      }
    }

    if (values.json) {
      printJson(io, {
        file,
        seed: seedFlag ?? resolved.sampling.seed,
        spaces: samples.map((s) => ({
          name: s.space,
          requested: s.requested,
          sampled: s.models.length,
          attempts: s.attempts,
          acceptanceRate: s.acceptanceRate,
          rejections: s.rejections,
          seed: s.seed,
          complete: s.complete,
        })),
        models: samples.flatMap((s) => s.models),
      });
    } else {
      io.stdout(human(spaces, samples));
    }
    return 0;
  },
};
