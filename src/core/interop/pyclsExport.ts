/**
 * The files `dslab export pycls` writes for a space file's sampled models: one pycls config per
 * model (`cfgs/<space>/<index>.yaml`) and, for each space pycls's sweep samplers can draw, a
 * sweep config (`sweeps/<space>.yaml`) that samples the same distribution. Pure: the caller
 * writes the files.
 */
import { expandModel } from '../modelSpec';
import { trialFileName } from '../results/layout';
import type { SampledModel } from '../sampling/sampler';
import { withDrawnTraining } from '../space/drawnSettings';
import type { DesignSpace, ResolvedSpaceFile } from '../space/types';
import { pyclsConfig, recipeNotes } from './pyclsConfig';
import { pyclsSweepConfig, sweepObstacles } from './pyclsSweepConfig';
import { pyclsYaml } from './pyclsYaml';

/** Where the configs of a space go, relative to the export folder (forward slashes). */
export const cfgsDir = (space: string): string => `cfgs/${space}`;

/** Where a space's sweep config goes, relative to the export folder. */
export const SWEEPS_DIR = 'sweeps';

export interface ExportedFile {
  /** Relative to the export folder, forward slashes. */
  path: string;
  text: string;
}

/** One space's part of an export. */
export interface ExportedSpace {
  name: string;
  type: DesignSpace['type'];
  /** Its models' configs, in index order. */
  configs: ExportedFile[];
  /** The sweep config, when pycls's samplers can draw the space. */
  sweep?: ExportedFile;
  /** Why there is no sweep config (the space is exported as its explicit list of models). */
  explicit: string[];
}

export interface PyclsExport {
  spaces: ExportedSpace[];
  /** What of the file's recipe pycls cannot follow exactly (one phrase each, once per export). */
  notes: string[];
}

/**
 * The pycls configs of `samples` (each space's sampled models), and the sweep configs of the
 * spaces that have one. `sweepsRoot` is the absolute folder the sweep configs name as ROOT_DIR
 * (the export's `sweeps/`), `file` the space file as the user named it.
 */
export function pyclsExport(resolved: ResolvedSpaceFile, samples: readonly { space: string; models: readonly SampledModel[] }[], sweepsRoot: string, file: string): PyclsExport {
  const notes = new Set<string>();
  const spaces = samples.map(({ space: name, models }) => {
    const space = resolved.spaces.find((s) => s.name === name);
    if (space === undefined) throw new RangeError(`no space named ${name} in ${file}`);
    const configs = models.map((m) => {
      const recipe = { dataset: resolved.dataset.name, training: withDrawnTraining(resolved.training, m.training) };
      for (const note of recipeNotes(recipe, expandModel(m.model).channels)) notes.add(note);
      const cfg = pyclsConfig(m.model, recipe, `${resolved.name} ${name} #${m.index}`);
      return { path: `${cfgsDir(name)}/${trialFileName(m.index, 'yaml')}`, text: pyclsYaml(cfg) };
    });
    const explicit = sweepObstacles(space);
    if (models.length === 0) explicit.push('no model sampled');
    const sweep = pyclsSweepConfig(resolved, space, models, sweepsRoot, file);
    const out: ExportedSpace = { name, type: space.type, configs, explicit };
    if (sweep !== undefined) out.sweep = { path: `${SWEEPS_DIR}/${name}.yaml`, text: pyclsYaml(sweep.tree, sweep.isFloat) };
    return out;
  });
  return { spaces, notes: [...notes] };
}
