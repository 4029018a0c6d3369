/**
 * The `dslab` task: a CustomExecution whose pseudoterminal runs `dslab sweep --events` in a
 * child process (training never runs on the extension host), prints its events, drives a
 * progress notification and the status bar, and stops the child when the task is terminated.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { sweepStateText, type SweepRunState } from '../core/presentation/runState';
import { parseSweepEvent, type SweepEvent } from '../core/analysis/sweepEvents';
import { readSettings } from './config';
import { SweepProgress } from '../core/presentation/sweepText';
import { isMessageForUser, LineBuffer, terminalLines, terminalText } from './cliOutput';
import { effectiveExecutor, parseTaskDefinition, sweepArgs, sweepDirectory, taskName, TASK_TYPE, type SweepTaskDefinition } from './sweepTaskDefinition';
import { parseSpaceText } from '../core/space';
import { SHOW_STATUS_COMMAND } from './sweepStatusDocument';
import { runDslab } from './dslabProcess';

/** Time the child gets to stop its workers after SIGTERM before it is killed. */
const STOP_GRACE_MS = 10_000;

/** Told where a sweep stands after each of its events, and when it ends (no event then). */
export type SweepListener = (file: string, state: SweepRunState, event?: SweepEvent) => void;

export interface SweepTaskEnvironment {
  extensionPath: string;
  log: vscode.OutputChannel;
  /** Where the native backends are installed when the setting is empty ('' = none). */
  defaultNativeModulesPath: () => string;
  /** The status bar and the Results panels, which follow the sweeps of their files. */
  onSweep?: SweepListener;
  /** The sweep folder holds a sweep of other settings: offer the ways on (a fresh sweep, the old results). */
  onMismatch?: (definition: SweepTaskDefinition, folder: string, mismatch: Extract<SweepEvent, { type: 'mismatch' }>) => void;
}

function folderOf(file: string): string {
  const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(file));
  return folder ? folder.uri.fsPath : path.dirname(file);
}

class SweepTerminal implements vscode.Pseudoterminal {
  private readonly written = new vscode.EventEmitter<string>();
  private readonly closed = new vscode.EventEmitter<number>();
  readonly onDidWrite = this.written.event;
  readonly onDidClose = this.closed.event;
  private child: ChildProcess | undefined;
  private stopping = false;
  private readonly progress = new SweepProgress('run the task again', 'to add one: Design Space Lab: Install Native Training Backend…');
  private reportProgress: ((fraction: number, message: string) => void) | undefined;
  private file = '';
  private endProgress: (() => void) | undefined;
  /** The CLI's last message for the user: why a failed sweep stopped. */
  private lastMessage: string | undefined;
  private mismatch: Extract<SweepEvent, { type: 'mismatch' }> | undefined;
  private out = '';
  private cli = '';
  /** The sweep went to Slurm (a submitted event came): stopping the task stops following, the jobs run on. */
  private onSlurm = false;
  /** What the user chose when stopping a Slurm sweep. */
  private slurmStop: 'cancel' | 'keep' | undefined;

  constructor(
    private readonly definition: SweepTaskDefinition,
    private readonly folder: string,
    private readonly env: SweepTaskEnvironment,
  ) {}

  private write(text: string): void {
    this.written.fire(terminalText(text));
  }

  open(): void {
    const file = path.resolve(this.folder, this.definition.file);
    const shown = path.relative(this.folder, file).startsWith('..') ? file : path.relative(this.folder, file);
    this.file = file;
    const configured = readSettings(vscode.Uri.file(file));
    const settings = configured.nativeModulesPath === '' ? { ...configured, nativeModulesPath: this.env.defaultNativeModulesPath() } : configured;
    const out = sweepDirectory(this.folder, file, settings.outputDirectory);
    this.out = out;
    const cli = path.join(this.env.extensionPath, 'bin', 'dslab');
    this.cli = cli;
    const args = sweepArgs(shown, this.definition, out, settings, effectiveExecutor(settings, fileExecutor(file)));
    this.write(`dslab ${args.join(' ')}`);
    this.env.log.appendLine(`[sweep] ${this.folder}$ node ${cli} ${args.join(' ')}`);
    // The extension host may be Electron: ELECTRON_RUN_AS_NODE makes its binary a plain Node.
    const env: NodeJS.ProcessEnv = { ...process.env, ELECTRON_RUN_AS_NODE: '1' };
    if (settings.webgpuAdapter !== '') env.DSLAB_WEBGPU_ADAPTER = settings.webgpuAdapter;
    const child = spawn(process.execPath, [cli, ...args], { cwd: this.folder, env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.startNotification();
    const stdout = new LineBuffer();
    const onStdout = (lines: string[]): void => {
      for (const line of lines) {
        const event = parseSweepEvent(line);
        if (!event) {
          this.write(line);
          continue;
        }
        if (event.type === 'mismatch') {
          this.mismatch = event;
          continue;
        }
        if (event.type === 'submitted') this.onSlurm = true;
        for (const l of terminalLines(this.progress, event)) this.write(l);
        if (event.type !== 'step') this.env.onSweep?.(this.file, this.progress.runState(this.stopping ? 'stopping' : 'running'), event);
        this.reportProgress?.(this.progress.fraction(), `${this.progress.done}/${this.progress.total} trials${this.progress.sequential ? `, round ${this.progress.sequential.round} of ${this.progress.sequential.rounds}` : ''}`);
      }
    };
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => onStdout(stdout.push(chunk)));
    // stderr repeats the events as progress lines (logged only); the file's diagnostics and the CLI's own messages are shown.
    const stderr = new LineBuffer();
    const onStderr = (lines: string[]): void => {
      for (const line of lines) {
        this.env.log.appendLine(`[sweep] ${line}`);
        // After a mismatch the CLI's error speaks of its own flags; the task says what to do in the editor.
        if (isMessageForUser(line) && !this.mismatch) {
          this.write(line);
          this.lastMessage = line.trim();
        }
      }
    };
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => onStderr(stderr.push(chunk)));
    child.on('error', (err) => {
      this.write(`cannot start the sweep: ${err.message}`);
      this.finish(1);
    });
    child.on('close', (code, signal) => {
      onStdout(stdout.flush());
      onStderr(stderr.flush());
      const exit = code ?? (signal ? 130 : 1);
      this.env.log.appendLine(`[sweep] exited with ${code ?? signal}`);
      if (this.mismatch) {
        // Not a failure of the sweep: a choice for the user, offered in a notification.
        this.write(`Nothing was trained. Choose in the notification: start a fresh sweep (the previous one is kept as ${path.basename(this.mismatch.keptAs)}) or open the previous results.`);
        this.env.onMismatch?.(this.definition, this.folder, this.mismatch);
        this.finish(0);
        return;
      }
      if (this.slurmStop !== undefined) return void this.endFollowing();
      const phase = this.progress.endPhase(exit, this.stopping);
      const state = this.progress.runState(phase, phase === 'failed' ? (this.lastMessage ?? `exit code ${exit}; see the output channel "Design Space Lab"`) : undefined);
      this.env.onSweep?.(this.file, state);
      // The summary already said how it ended; a run stopped before its summary gets the state's line.
      if (!this.progress.summary || phase === 'cancelled') this.write(sweepStateText(state));
      // A cancel is the user's choice, not a failure: the task ends normally.
      this.finish(phase === 'cancelled' ? 0 : exit);
    });
  }

  private startNotification(): void {
    void vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: taskName(this.definition), cancellable: true },
      (progress, token) =>
        new Promise<void>((resolve) => {
          let reported = 0;
          token.onCancellationRequested(() => this.stop());
          this.reportProgress = (fraction, message) => {
            const increment = Math.max(0, fraction * 100 - reported);
            reported += increment;
            progress.report({ increment, message });
          };
          this.endProgress = resolve;
        }),
    );
  }

  /**
   * Asks the child to stop (it stops its workers; a rerun resumes), and kills it if it does not.
   * A Slurm sweep's jobs outlive the task: the user is asked whether to cancel them too, unless
   * the terminal is closing (`ask` false), which leaves them running and says so.
   */
  private stop(ask = true): void {
    const child = this.child;
    if (!child || child.exitCode !== null || this.stopping) return;
    if (this.onSlurm && this.slurmStop === undefined) {
      if (!ask) {
        this.slurmStop = 'keep';
        void offerSlurmCancel(this.out, this.cli, this.folder, this.env.log);
      } else {
        void vscode.window
          .showWarningMessage(`The Slurm jobs of ${path.basename(this.out)} keep running when the task stops. Cancel them too?`, { modal: true }, 'Cancel Jobs', 'Keep Running')
          .then((choice) => {
            if (choice === undefined) return; // dismissed: the task goes on
            this.slurmStop = choice === 'Cancel Jobs' ? 'cancel' : 'keep';
            this.stop();
          });
        return;
      }
    }
    this.stopping = true;
    const state = this.progress.runState('stopping');
    this.write(`${sweepStateText(state)}…`);
    this.env.onSweep?.(this.file, state);
    child.kill('SIGTERM');
    const timer = setTimeout(() => {
      if (child.exitCode === null) child.kill('SIGKILL');
    }, STOP_GRACE_MS);
    child.once('close', () => clearTimeout(timer));
  }

  private finish(code: number): void {
    this.endProgress?.();
    this.endProgress = undefined;
    this.reportProgress = undefined;
    this.child = undefined;
    this.closed.fire(code);
  }

  handleInput(data: string): void {
    if (data.includes('\x03')) this.stop();
  }

  close(): void {
    this.stop(false);
  }

  /** The task stopped following a Slurm sweep: its jobs cancelled, or left running. */
  private async endFollowing(): Promise<void> {
    if (this.slurmStop === 'cancel') {
      const r = await runDslab(this.cli, ['cancel', this.out], this.folder);
      for (const line of (r.stdout + r.stderr).split('\n').filter(Boolean)) this.write(line);
      this.env.log.appendLine(`[sweep] dslab cancel exited with ${r.code}`);
      const state = this.progress.runState(r.code === 0 ? 'cancelled' : 'failed', r.code === 0 ? undefined : (r.stderr.trim() || `dslab cancel exited with ${r.code}`));
      this.env.onSweep?.(this.file, state);
      this.write(sweepStateText(state));
    } else {
      this.write(`Stopped following: the Slurm jobs keep running. "Design Space Lab: Show Sweep Status" shows where they stand; Sample & Train follows them again.`);
      this.env.onSweep?.(this.file, this.progress.runState('idle'));
    }
    this.finish(0);
  }
}

/** The executor type the space file on disk names, if it names one (unreadable or invalid: none). */
function fileExecutor(file: string): 'local' | 'slurm' | undefined {
  try {
    return parseSpaceText(fs.readFileSync(file, 'utf8'), { defaultName: path.parse(file).name }).resolved?.executor?.type;
  } catch {
    return undefined;
  }
}

/** A Slurm sweep the task stopped following as its terminal closed: its jobs run on; offer to cancel them. */
async function offerSlurmCancel(dir: string, cli: string, cwd: string, log: vscode.OutputChannel): Promise<void> {
  const choice = await vscode.window.showInformationMessage(`Stopped following the sweep ${path.basename(dir)}: its Slurm jobs keep running.`, 'Cancel Jobs', 'Show Status');
  if (choice === 'Show Status') await vscode.commands.executeCommand(SHOW_STATUS_COMMAND, dir);
  if (choice !== 'Cancel Jobs') return;
  const r = await runDslab(cli, ['cancel', dir], cwd);
  log.appendLine(`[sweep] dslab cancel ${dir}: exit ${r.code}\n${r.stdout}${r.stderr}`);
  if (r.code === 0) void vscode.window.showInformationMessage(r.stdout.split('\n')[0]);
  else void vscode.window.showErrorMessage(`dslab cancel failed: ${r.stderr.trim() || `exit ${r.code}`}`);
}

/** The task for a definition, bound to the workspace folder of its file. */
export function sweepTask(definition: SweepTaskDefinition, folder: vscode.WorkspaceFolder | undefined, env: SweepTaskEnvironment): vscode.Task {
  const cwd = folder?.uri.fsPath;
  const execution = new vscode.CustomExecution(async (resolved) => {
    const parsed = parseTaskDefinition(resolved as unknown as Record<string, unknown>);
    const def = typeof parsed === 'string' ? definition : parsed;
    return new SweepTerminal(def, cwd ?? folderOf(path.resolve(def.file)), env);
  });
  const task = new vscode.Task(definition, folder ?? vscode.TaskScope.Workspace, taskName(definition), 'Design Space Lab', execution, []);
  task.presentationOptions = { reveal: vscode.TaskRevealKind.Always, panel: vscode.TaskPanelKind.Dedicated, clear: true };
  return task;
}

/** Offers a sweep task per `*.regnet.yaml` of the workspace and resolves `dslab` tasks of tasks.json. */
export class SweepTaskProvider implements vscode.TaskProvider {
  constructor(private readonly env: SweepTaskEnvironment) {}

  async provideTasks(): Promise<vscode.Task[]> {
    const files = await vscode.workspace.findFiles('**/*.regnet.{yaml,yml}', '**/node_modules/**', 50);
    return files.map((uri) => {
      const folder = vscode.workspace.getWorkspaceFolder(uri);
      const file = folder ? path.relative(folder.uri.fsPath, uri.fsPath) : uri.fsPath;
      return sweepTask({ type: TASK_TYPE, file }, folder, this.env);
    });
  }

  resolveTask(task: vscode.Task): vscode.Task | undefined {
    const parsed = parseTaskDefinition(task.definition);
    if (typeof parsed === 'string') {
      this.env.log.appendLine(`[task] ${parsed}`);
      return undefined;
    }
    const folder = task.scope !== undefined && typeof task.scope === 'object' ? task.scope : undefined;
    // Keep the definition object: VS Code matches a resolved task to tasks.json through it.
    const resolved = sweepTask(parsed, folder, this.env);
    return new vscode.Task(task.definition, resolved.scope ?? vscode.TaskScope.Workspace, resolved.name, resolved.source, resolved.execution, []);
  }
}
