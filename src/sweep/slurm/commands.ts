/**
 * Slurm's client commands (sbatch, squeue, scontrol, scancel), run as child processes. A
 * command that is not on PATH is a SlurmUnavailableError saying so; a command that the
 * scheduler answers with an error returns its status and message for the caller to word.
 */
import { spawnSync } from 'node:child_process';

export type SlurmCommand = 'sbatch' | 'squeue' | 'scontrol' | 'scancel';

/** Slurm's commands are not installed here, or the controller does not answer. */
export class SlurmUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SlurmUnavailableError';
  }
}

export interface CommandResult {
  status: number;
  stdout: string;
  /** What the command said on stderr, trimmed ("sbatch: error: invalid partition specified: gpu"). */
  stderr: string;
}

/** A controller that does not answer in this long is reported, not waited for (Slurm's own timeout is longer). */
const TIMEOUT_MS = 60_000;

/** Runs a Slurm command; throws a SlurmUnavailableError when it is not on PATH or does not finish. */
export function runSlurm(command: SlurmCommand, args: readonly string[], options: { cwd?: string } = {}): CommandResult {
  const r = spawnSync(command, args, { cwd: options.cwd, encoding: 'utf8', timeout: TIMEOUT_MS, maxBuffer: 256 * 2 ** 20 });
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new SlurmUnavailableError(`no ${command} on PATH: Slurm's client commands (sbatch, squeue, scontrol, scancel) must be installed where dslab runs`);
    if (code === 'ETIMEDOUT') throw new SlurmUnavailableError(`${command} did not answer in ${TIMEOUT_MS / 1000} s (is slurmctld up?)`);
    throw new SlurmUnavailableError(`cannot run ${command}: ${r.error.message}`);
  }
  return { status: r.status ?? 1, stdout: r.stdout, stderr: r.stderr.trim() };
}
