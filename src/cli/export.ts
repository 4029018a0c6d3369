/** `dslab export pycls FILE`: the sampled models of a space file as pycls configs, and pycls sweep configs where pycls can draw a space. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cfgsDir, pyclsExport, type PyclsExport } from '../core/interop/pyclsExport';
import { DEFAULT_SWEEPS_DIR } from '../core/results/layout';
import { InvalidCandidateError } from '../core/sampling/spaceSampler';
import { sampleFile, SamplingError, type SpaceSample } from '../core/sampling/sampler';
import { count } from '../core/presentation/counts';
import { tableLines } from '../core/presentation/table';
import { formatAndFile, parseCommandArgs, printJson, UsageError, UserError, type Command, type Io } from './command';
import { loadSpaceFile } from './spaceFile';
import { makeDirectory } from '../core/results/makeDirectory';

const FORMATS = ['pycls'] as const;

const HELP = `Usage: dslab export pycls FILE [--out DIR] [--space S] [--json]

Writes the models a space file samples (the models \`dslab sample\` lists, the ones \`dslab
sweep\` trains) as pycls configs, to train them with pycls (github.com/facebookresearch/pycls):

  DIR/cfgs/<space>/<index>.yaml   one config per model: MODEL.TYPE regnet or anynet with its
                                  REGNET.* or ANYNET.* keys (stem, block, SE, head),
                                  MODEL.NUM_CLASSES and ACTIVATION_FUN, OPTIM.*, BN.*, the
                                  TRAIN/TEST dataset and image size, RNG_SEED
  DIR/sweeps/<space>.yaml         for a space pycls's sweep samplers can draw: a sweep config
                                  (SETUP.SAMPLERS, CONSTRAINTS.CX, BASE_CFG) for
                                  tools/sweep_setup.py that samples the same distribution

A space pycls's samplers cannot draw (AnyNet restrictions, a RegNet with per-stage strides, a
drawn resolution, …) is exported as its explicit list of models only; the output says why.
Reading a config back (\`dslab import pycls\`) gives the same model and the same flops,
params and activations. A block X with squeeze-excitation reads back as Y (pycls has one
block for both).

Options:
  --out DIR    where to write (default ${DEFAULT_SWEEPS_DIR}/<file name without extension>-pycls);
               each space's cfgs/<space>/ folder is replaced
  --space S    only the space named S
  --json       print one JSON document: {file, out, spaces: [{name, type, configs, dir,
               sweep, explicit}], notes}

Exit status: 0 success, 1 an invalid file, an unknown space, a space where no model satisfies
the constraints, or DIR cannot be written, 2 bad usage.

Example:
  dslab export pycls examples/space.regnet.yaml --out pycls-configs
`;

/** The default folder of an export: `.dslab/space.regnet-pycls` for `examples/space.regnet.yaml`. */
export function exportDirOf(file: string): string {
  return path.join(DEFAULT_SWEEPS_DIR, `${path.parse(file).name}-pycls`);
}

function writeExport(out: string, exported: PyclsExport): void {
  const write = (rel: string, text: string): void => {
    const file = path.join(out, ...rel.split('/'));
    makeDirectory(path.dirname(file));
    fs.writeFileSync(file, text);
  };
  try {
    for (const space of exported.spaces) {
      fs.rmSync(path.join(out, ...cfgsDir(space.name).split('/')), { recursive: true, force: true });
      for (const c of space.configs) write(c.path, c.text);
      if (space.sweep) write(space.sweep.path, space.sweep.text);
    }
  } catch (err) {
    throw new UserError(`cannot write the export to ${out}: ${(err as Error).message}`);
  }
}

function human(file: string, out: string, exported: PyclsExport): string {
  const total = exported.spaces.reduce((n, s) => n + s.configs.length, 0);
  const rows = exported.spaces.map((s) => [
    s.name,
    count(s.configs.length, 'config'),
    `${cfgsDir(s.name)}/`,
    s.sweep ? `sweep config ${s.sweep.path}` : `explicit list: ${s.explicit.join('; ')}`,
  ]);
  const lines = [`Exported ${count(total, 'pycls config')} of ${file} to ${out}:`, ...tableLines(rows, 4).map((l) => `  ${l}`)];
  if (exported.notes.length > 0) lines.push('Notes:', ...exported.notes.map((n) => `  - ${n}`));
  return lines.join('\n') + '\n';
}

export const exportCommand: Command = {
  name: 'export',
  summary: 'write the sampled models of a space file as pycls configs (and pycls sweep configs)',
  help: HELP,
  run(argv: string[], io: Io): number {
    const { values, positionals } = parseCommandArgs(argv, { out: { type: 'string' }, space: { type: 'string' } });
    const { file } = formatAndFile(positionals, FORMATS, 'exports', 'FILE (a space file, e.g. examples/space.regnet.yaml)');
    if (values.out === '') throw new UsageError('--out expects a folder');
    const resolved = loadSpaceFile(file, io);
    let samples: SpaceSample[];
    try {
      samples = sampleFile(resolved, { space: values.space });
    } catch (err) {
      if (err instanceof SamplingError || err instanceof InvalidCandidateError || err instanceof RangeError) throw new UserError(`${file}: ${err.message}`);
      throw err;
    }
    const out = values.out ?? exportDirOf(file);
    const exported = pyclsExport(resolved, samples, path.resolve(out, 'sweeps'), file);
    writeExport(out, exported);
    if (values.json) {
      printJson(io, {
        file,
        out,
        spaces: exported.spaces.map((s) => ({ name: s.name, type: s.type, configs: s.configs.length, dir: `${cfgsDir(s.name)}/`, sweep: s.sweep?.path ?? null, explicit: s.explicit })),
        notes: exported.notes,
      });
    } else {
      io.stdout(human(file, out, exported));
    }
    return 0;
  },
};
