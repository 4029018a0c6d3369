/** A quick `dslab` command (status, cancel) in a child process: the CLI never runs on the extension host. */
import { execFile } from 'node:child_process';

export interface DslabResult {
  /** The exit status; null when it did not start or was killed. */
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node <cli> ...args` in `cwd` (the editor's binary as plain Node, as the sweep task runs it). */
export function runDslab(cli: string, args: string[], cwd: string): Promise<DslabResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, ...args], { cwd, env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : null;
      resolve({ code, stdout, stderr: stderr || (err !== null && code === null ? err.message : '') });
    });
  });
}

