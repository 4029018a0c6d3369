/**
 * The Slurm settings of a sweep: what its job array asks of the scheduler for each trial. They
 * come from the space file's `executor:` section and from `dslab sweep`'s flags (which win).
 */

export interface SlurmSettings {
  /** sbatch --partition; absent: the cluster's default partition. */
  partition?: string;
  /** sbatch --time per task: minutes, or Slurm's [D-]HH:MM[:SS] / MM:SS forms. */
  time?: string;
  gpusPerTask?: number;
  cpusPerTask?: number;
  /** sbatch --mem per node (one task per node here): "16G", "4000" (MB). */
  mem?: string;
  /** At most this many tasks of the array run at once (the array's %K). */
  parallel?: number;
  /** Further sbatch options, each one word as on sbatch's command line ("--account=proj"). */
  sbatchArgs: string[];
}

/** Slurm's time limit forms: M, M:S, H:M:S, D-H, D-H:M, D-H:M:S. */
export const SLURM_TIME_PATTERN = /^(\d+|\d+:\d{1,2}|\d+:\d{1,2}:\d{1,2}|\d+-\d+|\d+-\d+:\d{1,2}|\d+-\d+:\d{1,2}:\d{1,2})$/;

/** sbatch --mem: a number of megabytes, or one with a unit K, M, G or T. */
export const SLURM_MEMORY_PATTERN = /^\d+[KMGT]?$/;

/** Why a settings value cannot go into a batch script, or undefined when every one can. */
export function settingsProblem(s: SlurmSettings): string | undefined {
  if (s.time !== undefined && !SLURM_TIME_PATTERN.test(s.time)) return `time '${s.time}' is not a Slurm time limit (minutes, or [D-]HH:MM[:SS])`;
  if (s.mem !== undefined && !SLURM_MEMORY_PATTERN.test(s.mem)) return `mem '${s.mem}' is not a Slurm memory size (e.g. 4000, 16G)`;
  if (s.partition !== undefined && !/^[\w.,-]+$/.test(s.partition)) return `partition '${s.partition}' is not a partition name`;
  const bad = s.sbatchArgs.find((a) => !a.startsWith('-') || /[\n\r]/.test(a));
  if (bad !== undefined) return `sbatch argument '${bad}' is not an option (it must start with '-' and be one line)`;
  return undefined;
}

/** Settings with `over`'s values in place of `base`'s where it has them; sbatch arguments of both, `base`'s first. */
export function mergeSettings(base: SlurmSettings, over: Partial<SlurmSettings>): SlurmSettings {
  const merged: SlurmSettings = { ...base, sbatchArgs: [...base.sbatchArgs, ...(over.sbatchArgs ?? [])] };
  for (const key of ['partition', 'time', 'gpusPerTask', 'cpusPerTask', 'mem', 'parallel'] as const) {
    if (over[key] !== undefined) (merged as unknown as Record<string, unknown>)[key] = over[key];
  }
  return merged;
}

/** The `dslab sweep` flags that give these settings (how a status tells a user to resubmit). */
export function settingsFlags(s: Partial<SlurmSettings>): string[] {
  const flags: string[] = [];
  if (s.partition !== undefined) flags.push('--partition', s.partition);
  if (s.time !== undefined) flags.push('--time', s.time);
  if (s.gpusPerTask !== undefined) flags.push('--gpus-per-task', String(s.gpusPerTask));
  if (s.cpusPerTask !== undefined) flags.push('--cpus-per-task', String(s.cpusPerTask));
  if (s.mem !== undefined) flags.push('--mem', s.mem);
  if (s.parallel !== undefined) flags.push('--parallel', String(s.parallel));
  for (const a of s.sbatchArgs ?? []) flags.push(`--sbatch-arg=${a}`);
  return flags;
}
