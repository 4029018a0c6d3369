/**
 * The Sweeps view (Explorer): every sweep folder of the workspace's sweeps directories, with where
 * it stands (live while a task of this window runs it), its counts and best error. From a sweep:
 * open its Results, write and open its HTML report, reveal its folder, resume it, delete it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { manifestPath } from '../core/results/layout';
import { overviewState, type SweepOverview } from '../core/results/overview';
import type { SweepOverviews } from './sweepOverviews';
import { statusBarIcon, sweepStateText, type SweepRunState } from '../core/presentation/runState';
import { readSettings } from './config';
import { COMMAND } from './lenses';
import type { ResultsRequest, ResultsResponse } from './resultsRequest';
import { sweepDirectory, sweepsRoot } from './sweepTaskDefinition';
import { runWorker } from './workerThread';

export const SWEEPS_VIEW = 'designSpaceLab.sweeps';

export const SWEEPS_COMMAND = {
  refresh: 'designSpaceLab.sweeps.refresh',
  openResults: 'designSpaceLab.sweeps.openResults',
  openReport: 'designSpaceLab.sweeps.openReport',
  reveal: 'designSpaceLab.sweeps.reveal',
  resume: 'designSpaceLab.sweeps.resume',
  delete: 'designSpaceLab.sweeps.delete',
} as const;

/** One sweep folder as the view shows it. */
export class SweepItem extends vscode.TreeItem {
  constructor(
    readonly dir: string,
    /** The space file the sweep is of, when the sweep is that file's current one (else it was kept aside). */
    readonly file: vscode.Uri | undefined,
    readonly state: SweepRunState | undefined,
    overview: SweepOverview | undefined,
    problem: string | undefined,
  ) {
    super(path.basename(dir), vscode.TreeItemCollapsibleState.None);
    this.id = dir;
    this.resourceUri = vscode.Uri.file(dir);
    const running = state?.phase === 'running' || state?.phase === 'stopping';
    if (problem !== undefined || !state) {
      this.description = 'cannot be read';
      this.tooltip = problem;
      this.iconPath = new vscode.ThemeIcon('warning');
    } else {
      const best = state.best ? ` · best ${state.best.error.toFixed(1)}%` : '';
      const phase = state.phase === 'idle' ? '' : `${state.phase} · `;
      this.description = `${phase}${state.done}/${state.total}${best}`;
      const source = overview?.imported
        ? `Imported from ${overview.file} (${overview.imported})`
        : `Of ${file ? vscode.workspace.asRelativePath(file) : `${overview?.file ?? 'a space file'} (kept aside: the file's settings have changed since)`}`;
      this.tooltip = new vscode.MarkdownString(`**${path.basename(dir)}** — ${sweepStateText(state)}\n\n${source}${overview ? `, ${overview.imported ? 'collected' : 'started'} ${overview.createdAt.slice(0, 16).replace('T', ' ')}` : ''}`);
      this.iconPath = new vscode.ThemeIcon(statusBarIcon(state.phase));
    }
    // Menus pick actions by these words: current (has a space file), imported (results of its own), running.
    const kind = file ? 'current' : overview?.imported ? 'imported' : 'kept';
    this.contextValue = ['sweep', kind, running ? 'running' : 'stopped'].join(' ');
    if (kind !== 'kept') this.command = { title: 'Open Results', command: SWEEPS_COMMAND.openResults, arguments: [this] };
  }
}

export class SweepsView implements vscode.TreeDataProvider<SweepItem>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly extensionPath: string,
    /** The last state a task of this window reported for a space file's sweep. */
    private readonly stateOf: (file: string) => SweepRunState | undefined,
    private readonly showResults: (uri: string) => Promise<void>,
    private readonly log: vscode.OutputChannel,
    private readonly overviews: SweepOverviews,
  ) {
    const watcher = vscode.workspace.createFileSystemWatcher('**/sweep.json');
    this.disposables.push(
      watcher,
      watcher.onDidCreate(() => this.refreshSoon()),
      watcher.onDidDelete(() => this.refreshSoon()),
      vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('designSpaceLab.outputDirectory') && this.refresh()),
      vscode.commands.registerCommand(SWEEPS_COMMAND.refresh, () => this.refresh()),
      // An import's panel opens on its folder; a sweep of a space file's, on the file.
      vscode.commands.registerCommand(SWEEPS_COMMAND.openResults, (item: SweepItem) => this.showResults((item.file ?? vscode.Uri.file(item.dir)).toString())),
      vscode.commands.registerCommand(SWEEPS_COMMAND.openReport, (item: SweepItem) => this.openReport(item)),
      vscode.commands.registerCommand(SWEEPS_COMMAND.reveal, (item: SweepItem) => vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(item.dir))),
      vscode.commands.registerCommand(SWEEPS_COMMAND.resume, (item: SweepItem) => item.file && vscode.commands.executeCommand(COMMAND.sampleAndTrain, item.file.toString())),
      vscode.commands.registerCommand(SWEEPS_COMMAND.delete, (item: SweepItem) => this.delete(item)),
    );
  }

  refresh(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.changed.fire();
  }

  /** Refreshes once a burst of changes (a sweep's events, files appearing) is over. */
  refreshSoon(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => this.refresh(), 1000);
  }

  getTreeItem(item: SweepItem): SweepItem {
    return item;
  }

  getChildren(element?: SweepItem): SweepItem[] {
    if (element) return [];
    const items: SweepItem[] = [];
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      const root = sweepsRoot(folder.uri.fsPath, readSettings(folder.uri).outputDirectory);
      let names: string[];
      try {
        names = fs.readdirSync(root).sort();
      } catch {
        continue;
      }
      for (const name of names) {
        const dir = path.join(root, name);
        if (fs.existsSync(manifestPath(dir))) items.push(this.item(folder, dir));
      }
    }
    return items;
  }

  private item(folder: vscode.WorkspaceFolder, dir: string): SweepItem {
    const read = this.overviews.read(dir);
    if ('problem' in read) return new SweepItem(dir, undefined, undefined, undefined, read.problem);
    const { overview } = read;
    // The sweep is its file's current one when the file's sweep directory is this one (an import has no space file).
    const file = path.resolve(folder.uri.fsPath, overview.file);
    const current = !overview.imported && fs.existsSync(file) && path.resolve(sweepDirectory(folder.uri.fsPath, file, readSettings(folder.uri).outputDirectory)) === path.resolve(dir);
    const live = current ? this.stateOf(file) : undefined;
    const state = live && (live.phase === 'running' || live.phase === 'stopping') ? live : overviewState(overview);
    return new SweepItem(dir, current ? vscode.Uri.file(file) : undefined, state, overview, undefined);
  }

  private async openReport(item: SweepItem): Promise<void> {
    const file = path.join(item.dir, 'report.html');
    const request: ResultsRequest = { dir: item.dir, report: { file, bundle: path.join(this.extensionPath, 'out', 'webview', 'report.js') } };
    const response = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Writing the report of ${path.basename(item.dir)}…` }, (_progress, token) =>
      runWorker<ResultsRequest, ResultsResponse>(path.join(this.extensionPath, 'out', 'extension', 'resultsWorker.js'), request, token),
    );
    if (!response) return;
    if ('error' in response) {
      this.log.appendLine(`[sweeps] ${item.dir}: ${response.error}`);
      return void vscode.window.showErrorMessage(`Cannot write the report of ${path.basename(item.dir)}: ${response.error}`);
    }
    const uri = vscode.Uri.file(file);
    // A browser shows the report as it is meant to be seen; where none can be opened (a remote window), the file is revealed.
    if (!(await vscode.env.openExternal(uri))) await vscode.commands.executeCommand('revealInExplorer', uri);
  }

  private async delete(item: SweepItem): Promise<void> {
    if (item.state?.phase === 'running' || item.state?.phase === 'stopping') {
      return void vscode.window.showWarningMessage(`${path.basename(item.dir)} is being trained: cancel its task before deleting it.`);
    }
    const what = item.state ? ` (${item.state.done} trial records)` : '';
    const choice = await vscode.window.showWarningMessage(`Delete the sweep ${path.basename(item.dir)}${what}? Its folder is removed from disk.`, { modal: true }, 'Delete');
    if (choice !== 'Delete') return;
    try {
      fs.rmSync(item.dir, { recursive: true, force: true });
    } catch (err) {
      return void vscode.window.showErrorMessage(`Cannot delete ${item.dir}: ${(err as Error).message}`);
    }
    this.refresh();
  }

  dispose(): void {
    clearTimeout(this.timer);
    for (const d of this.disposables) d.dispose();
    this.changed.dispose();
  }
}
