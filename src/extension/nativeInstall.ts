/**
 * Installing an optional training backend on demand: which packages each choice needs at our
 * tfjs version, the npm command line that installs them into the extension's storage, running
 * npm, and what to tell the user when it fails. No vscode here: the command
 * (installNativeBackend.ts) adapts it, the tests run it against a real npm.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export type NativeChoiceId = 'tfjs-node-gpu' | 'tfjs-node' | 'webgpu';

export interface NativeChoice {
  id: NativeChoiceId;
  /** The packages to install, `name@version`. */
  packages: string[];
  /** The backend name a sweep uses (the `backend` setting or the space file's `training.backend`). */
  backend: string;
  /** One line: what it is and what it needs. */
  detail: string;
  /** Why it cannot work on this platform; undefined where it can. */
  unsupported?: string;
}

/** Where the `webgpu` package ships a prebuilt Dawn. */
function webgpuBuilt(platform: NodeJS.Platform, arch: string): boolean {
  return platform === 'darwin' || ((platform === 'linux' || platform === 'win32') && (arch === 'x64' || arch === 'arm64'));
}

/** The choices for a platform: the CUDA build, the CPU build, WebGPU. */
export function nativeChoices(platform: NodeJS.Platform, arch: string, tfjsVersion: string, webgpuVersion = '0.6.2'): NativeChoice[] {
  return [
    {
      id: 'tfjs-node-gpu',
      packages: [`@tensorflow/tfjs-node-gpu@${tfjsVersion}`],
      backend: 'tfjs-node-gpu',
      detail: 'Native TensorFlow with CUDA: needs an NVIDIA GPU, CUDA 11.2 and cuDNN 8.1. Downloads libtensorflow (about 400 MB) while installing.',
      ...(platform === 'linux' && arch === 'x64' ? {} : { unsupported: `libtensorflow with CUDA is built for Linux x64 only (this is ${platform} ${arch})` }),
    },
    {
      id: 'tfjs-node',
      packages: [`@tensorflow/tfjs-node@${tfjsVersion}`],
      backend: 'tfjs-node',
      detail: 'Native TensorFlow on the CPU, several times faster than wasm on big models. Downloads libtensorflow (about 100 MB) while installing.',
    },
    {
      id: 'webgpu',
      packages: [`webgpu@${webgpuVersion}`, `@tensorflow/tfjs-backend-webgpu@${tfjsVersion}`],
      backend: 'webgpu',
      detail: "WebGPU through Dawn (Vulkan, Metal or D3D12): any GPU, no CUDA. 'auto' uses it on a hardware adapter, not on a software one.",
      ...(webgpuBuilt(platform, arch) ? {} : { unsupported: `the webgpu package has no Dawn build for ${platform} ${arch}` }),
    },
  ];
}

/** The npm command: `npm.cmd` on Windows, where npm is a batch file. */
export const npmCommand = (platform: NodeJS.Platform): string => (platform === 'win32' ? 'npm.cmd' : 'npm');

/**
 * npm's arguments: install the packages into `<prefix>/node_modules`, pinned in the folder's own
 * package.json (so a later install of another backend keeps this one), without audit or funding noise.
 */
export function npmInstallArgs(prefix: string, packages: string[]): string[] {
  return ['install', '--prefix', prefix, '--save-exact', '--no-audit', '--no-fund', '--no-update-notifier', '--loglevel', 'warn', ...packages];
}

/** Makes the install folder an npm project of its own (npm would otherwise look for one in the parents). */
export function prepareInstallFolder(prefix: string): void {
  fs.mkdirSync(prefix, { recursive: true });
  const manifest = path.join(prefix, 'package.json');
  if (!fs.existsSync(manifest)) fs.writeFileSync(manifest, `${JSON.stringify({ name: 'design-space-lab-native', private: true, description: 'Optional training backends of the Design Space Lab extension' }, null, 2)}\n`);
}

export interface NpmResult {
  /** Exit code; null when npm did not start or was killed. */
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Why npm did not start (spawn error code, e.g. ENOENT), if it did not. */
  spawnError?: string;
  /** stdout and stderr, interleaved as they came. */
  output: string;
  cancelled: boolean;
}

/** Runs npm with `args`, each output line to `onLine`; `signal` aborts it (the child is killed). */
export function runNpm(npm: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; onLine?: (line: string) => void; signal?: AbortSignal }): Promise<NpmResult> {
  return new Promise((resolve) => {
    let output = '';
    let rest = '';
    let cancelled = false;
    const take = (chunk: string): void => {
      output += chunk;
      const lines = (rest + chunk).split(/\r?\n/);
      rest = lines.pop() ?? '';
      for (const l of lines) if (l.trim() !== '') options.onLine?.(l);
    };
    const child = spawn(npm, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'], shell: process.platform === 'win32' });
    const abort = (): void => {
      cancelled = true;
      child.kill('SIGTERM');
    };
    options.signal?.addEventListener('abort', abort, { once: true });
    child.stdout.setEncoding('utf8').on('data', take);
    child.stderr.setEncoding('utf8').on('data', take);
    child.on('error', (err: NodeJS.ErrnoException) => {
      options.signal?.removeEventListener('abort', abort);
      resolve({ code: null, signal: null, spawnError: err.code ?? err.message, output, cancelled });
    });
    child.on('close', (code, sig) => {
      options.signal?.removeEventListener('abort', abort);
      if (rest.trim() !== '') options.onLine?.(rest);
      resolve({ code, signal: sig, output, cancelled });
    });
  });
}

/** The last `n` non-empty lines of a text. */
export function lastLines(text: string, n: number): string[] {
  return text
    .split(/\r?\n/)
    .filter((l) => l.trim() !== '')
    .slice(-n);
}

const NETWORK_CODES = ['ENOTFOUND', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'ERR_SOCKET_TIMEOUT'];

/** What npm's output says went wrong, in a few words, with what to do about it. */
export function explainNpmFailure(choice: NativeChoice, result: NpmResult, prefix: string): { reason: string; advice: string } {
  const manual = `npm install --prefix "${prefix}" ${choice.packages.join(' ')}`;
  if (result.spawnError !== undefined) {
    return {
      reason: result.spawnError === 'ENOENT' ? 'npm is not on the PATH of the editor' : `npm could not start (${result.spawnError})`,
      advice: `Install Node.js with npm (and restart the editor), or run \`${manual}\` in a terminal.`,
    };
  }
  const text = result.output;
  const code = /npm (?:error|ERR!) code (\S+)/.exec(text)?.[1];
  if (code === 'E404') {
    return { reason: `the registry has no ${choice.packages.join(' or ')}`, advice: 'Check the npm registry your npm uses (npm config get registry).' };
  }
  const network = NETWORK_CODES.find((c) => code === c || new RegExp(`\\b${c}\\b`).test(text));
  const script = /npm (?:error|ERR!) (?:command failed|path .*\n.*command)|install script|lifecycle script/i.test(text) || (code !== undefined && /^\d+$/.test(code));
  if (script) {
    const download = choice.id === 'webgpu' ? '' : ' (it downloads libtensorflow from storage.googleapis.com, which needs internet access)';
    return {
      reason: `the install script of ${choice.packages[choice.packages.length - 1]} failed${download}`,
      advice: `Check the log, then run \`${manual}\` in a terminal with internet access${choice.id === 'tfjs-node-gpu' ? ' on a machine with CUDA 11.2 and cuDNN 8.1' : ''}; set designSpaceLab.nativeModulesPath to that folder if it is another one.`,
    };
  }
  if (network !== undefined) {
    return { reason: `npm cannot reach the package registry (${network})`, advice: `Connect to the internet (or set npm's proxy or registry), then run the command again, or run \`${manual}\` where you have access.` };
  }
  return { reason: `npm exited with ${result.code !== null ? `code ${result.code}` : `signal ${result.signal}`}`, advice: `See the log; you can also run \`${manual}\` in a terminal.` };
}

/** npm's last meaningful lines: without stack frames, empty `npm error` lines and the pointer to its debug log. */
export function npmTail(output: string, n: number): string[] {
  const noise = /^npm (?:error|ERR!)\s*$|^(?:npm (?:error|ERR!))?\s+at |A complete log of this run|^npm (?:error|ERR!) [{}]\s*$/;
  return lastLines(
    output
      .split(/\r?\n/)
      .filter((l) => !noise.test(l))
      .join('\n'),
    n,
  );
}

/** The error message after a failed install: what failed, why, what to do, and npm's last lines. */
export function installFailureMessage(choice: NativeChoice, result: NpmResult, prefix: string, tail = 6): string {
  const { reason, advice } = explainNpmFailure(choice, result, prefix);
  const lines = npmTail(result.output, tail);
  return `Installing ${choice.packages.join(' + ')} failed: ${reason}. ${advice}${lines.length > 0 ? `\nnpm said:\n${lines.join('\n')}` : ''}`;
}

/** The version of `pkg` installed under `<prefix>/node_modules`, or undefined. */
export function installedVersion(prefix: string, pkg: string): string | undefined {
  try {
    const v = (JSON.parse(fs.readFileSync(path.join(prefix, 'node_modules', ...pkg.split('/'), 'package.json'), 'utf8')) as { version?: unknown }).version;
    return typeof v === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}

/** The order in which 'auto' tries the backends (src/train/backend.ts). */
const AUTO_ORDER = ['tfjs-node-gpu', 'webgpu', 'tfjs-node'];

/**
 * What 'auto' tries with these backends installed, e.g. "webgpu (on a hardware adapter), then
 * wasm": the installed ones in its order, then the bundled wasm.
 */
export function autoBackendText(installed: string[]): string {
  const chain = [...AUTO_ORDER.filter((b) => installed.includes(b)), 'wasm'];
  return chain.map((b) => (b === 'webgpu' ? 'webgpu (on a hardware adapter)' : b === 'tfjs-node-gpu' ? 'tfjs-node-gpu (with a CUDA GPU)' : b)).join(', then ');
}
