/** `dslab import pycls|nds FILE`: results trained elsewhere as a sweep directory that `dslab analyze` and the Results panel read. */
import { spaceNameOf, type ImportedJob, type ImportedSweep } from '../core/interop/importedSweep';
import { importFile, IMPORT_FORMATS, NDS_DATASETS, type ImportedFile } from '../core/interop/importFile';
import type { NdsDataset } from '../core/interop/ndsPopulation';
import { PYCLS_ERRORS, type PyclsError } from '../core/interop/pyclsSweep';
import { ImportError } from '../core/interop/sourceJson';
import { DEFAULT_SWEEPS_DIR } from '../core/results/layout';
import { isFilesystemError } from '../core/results/fsErrors';
import { SweepDirectoryError } from '../core/results/store';
import type { ImportFormat } from '../core/results/records';
import { count, groupThousands } from '../core/presentation/counts';
import { tableLines } from '../core/presentation/table';
import { formatAndFile, parseCommandArgs, printJson, UsageError, UserError, type Command, type Io } from './command';

import { name as TOOL_NAME, version as TOOL_VERSION } from '../../package.json';


const HELP = `Usage: dslab import pycls SWEEP_JSON [--out DIR] [--space NAME] [--error final|best|ema] [--json]
       dslab import nds FILE.json [--out DIR] [--space NAME] [--dataset cifar10|imagenet] [--json]

Reads results trained elsewhere and writes them as a sweep directory (sweep.json and one trial
record per finished job), which \`dslab analyze\`, its HTML report and the Results panel read
as any sweep: EDFs, normalized EDFs, best ranges, width fits.

  pycls  a collected pycls sweep: the sweep.json that tools/sweep_collect.py writes (a list of
         jobs' log data: cfg, complexity, train_epoch and test_epoch series). AnyNet and
         RegNet models are rebuilt from their configs (a RegNet that pycls's sweep stored as
         an AnyNet is recognized by its REGNET.* keys); other model types keep their
         complexity and error only. The error is the top-1 test error of the last epoch
         (--error best: the lowest over the epochs; --error ema: the EMA model's lowest,
         what pycls's sweep_analyze compares).
  nds    an NDS population file (facebookresearch/nds: ResNet.json, DARTS_in.json, …; a list
         of jobs with net, flops, params, min_test_top1, test_ep_top1, …). Nets are rebuilt
         when one reading of them gives exactly the flops and params the file states. The
         error is min_test_top1, as the NDS notebooks compare.

A job without a finished test epoch is unfinished: listed in sweep.json without a record (the
analysis counts it as missing) and reported here. Jobs of different kinds (RegNets, AnyNets,
other types) go to one space each, NAME.regnet, NAME.anynet, …

Options:
  --out DIR      where to write (default ${DEFAULT_SWEEPS_DIR}/NAME); an earlier import there is
                 replaced, anything else is refused
  --space NAME   the sweep's and its space's name (default: the folder of a pycls sweep.json,
                 else the file name without extension)
  --error E      pycls only: final (default), best or ema, as above
  --dataset D    nds only: cifar10 or imagenet (default: imagenet for a file named *_in.json)
  --json         print one JSON document: {source, format, out, entries, spaces: [{name, type,
                 models, recorded}], unfinished: [{entry, reason}], mismatches}

Exit status: 0 success, 1 a file that cannot be read or is not of the format (the message
names the entry), or DIR cannot be written, 2 bad usage.

Examples:
  dslab import pycls /checkpoint/sweeps/cifar_regnet/sweep.json
  dslab import nds data/ResNet.json && dslab analyze .dslab/ResNet
`;

function human(source: string, out: string, format: ImportFormat, jobs: readonly ImportedJob[], sweep: ImportedSweep): string {
  const recorded = sweep.records.length;
  const lines = [`Imported ${groupThousands(recorded)} of ${count(jobs.length, `${format} job`)} of ${source} into ${out}:`];
  const rows = [['space', 'type', 'models', 'recorded'], ...sweep.spaces.map((s) => [s.name, s.type, String(s.models), String(s.recorded)])];
  lines.push(...tableLines(rows, 2).map((l) => `  ${l}`));
  const foreign = jobs.filter((j) => j.model === undefined);
  if (foreign.length > 0) {
    const reasons = [...new Set(foreign.map((j) => j.unsupported))];
    lines.push(`Kept with their complexity and error only: ${count(foreign.length, 'model')} (${reasons.join('; ')})`);
  }
  const unfinished = sweep.manifest.imported?.unfinished ?? [];
  if (unfinished.length > 0) {
    lines.push(`Unfinished, without a record (the analysis counts them as missing): ${count(unfinished.length, 'job')}`);
    const SHOWN = 10;
    for (const u of unfinished.slice(0, SHOWN)) {
      const d = jobs[u.entry].description;
      lines.push(`  entry ${u.entry}${d ? ` (${d})` : ''}: ${u.reason}`);
    }
    if (unfinished.length > SHOWN) lines.push(`  … and ${unfinished.length - SHOWN} more (--json lists them all)`);
  }
  if (sweep.mismatches.length > 0) {
    const m = sweep.mismatches[0];
    lines.push(
      `Complexity counted here differs from the file's for ${count(sweep.mismatches.length, 'model')} (ours is kept); ` +
        `the first, entry ${m.entry}: flops ${m.ours.flops} / params ${m.ours.params} / acts ${m.ours.acts} here, ${m.stated.flops} / ${m.stated.params} / ${m.stated.acts} in the file`,
    );
  }
  lines.push(`Analyze it: dslab analyze ${out}`);
  return lines.join('\n') + '\n';
}

export const importCommand: Command = {
  name: 'import',
  summary: 'import a collected pycls sweep or an NDS population as a sweep directory to analyze',
  help: HELP,
  run(argv: string[], io: Io): number {
    const { values, positionals } = parseCommandArgs(argv, { out: { type: 'string' }, space: { type: 'string' }, dataset: { type: 'string' }, error: { type: 'string' } });
    const { format, file } = formatAndFile(positionals, IMPORT_FORMATS, 'imports', `the file to import (${positionals[0] === 'nds' ? 'an NDS population, e.g. ResNet.json' : "a collected sweep's sweep.json"})`);
    if (values.out === '') throw new UsageError('--out expects a folder');
    if (values.dataset !== undefined && format !== 'nds') throw new UsageError('--dataset applies to nds imports only (a pycls config names its dataset)');
    if (values.dataset !== undefined && !(NDS_DATASETS as readonly string[]).includes(values.dataset)) throw new UsageError(`--dataset must be ${NDS_DATASETS.join(' or ')}, got '${values.dataset}'`);
    if (values.error !== undefined && format !== 'pycls') throw new UsageError('--error applies to pycls imports only (an NDS job states one error, min_test_top1)');
    if (values.error !== undefined && !(PYCLS_ERRORS as readonly string[]).includes(values.error)) throw new UsageError(`--error must be ${PYCLS_ERRORS.join(', ')}, got '${values.error}'`);
    if (values.space !== undefined && spaceNameOf(values.space) !== values.space) throw new UsageError(`--space '${values.space}' is not a space name (letters, digits, _ . -, starting with a letter or _)`);
    let imported: ImportedFile;
    try {
      imported = importFile(file, format, { name: values.space, out: values.out, dataset: values.dataset as NdsDataset | undefined, error: values.error as PyclsError | undefined, tool: { name: TOOL_NAME, version: TOOL_VERSION } });
    } catch (err) {
      if (err instanceof ImportError || err instanceof SweepDirectoryError) throw new UserError(err.message);
      if (isFilesystemError(err)) throw new UserError(`cannot write ${values.out ?? 'the sweep directory'}: ${(err as Error).message}`);
      throw err;
    }
    const { out, jobs, sweep } = imported;
    if (values.json) {
      printJson(io, {
        source: file,
        format,
        out,
        entries: jobs.length,
        spaces: sweep.spaces,
        unfinished: sweep.manifest.imported?.unfinished ?? [],
        mismatches: sweep.mismatches,
      });
    } else {
      io.stdout(human(file, out, format, jobs, sweep));
    }
    return 0;
  },
};
