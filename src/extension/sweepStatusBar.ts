/**
 * The sweeps' states in this window, and the status bar item that shows one of them: the active
 * space file's sweep (live while its task runs, else what is on disk), or a running sweep while
 * another editor is active. Clicking it opens that file's Results.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { overviewState } from '../core/results/overview';
import type { SweepOverviews } from './sweepOverviews';
import { manifestPath } from '../core/results/layout';
import { statusBarIcon, statusBarText, sweepStateText, type SweepRunState } from '../core/presentation/runState';
import { COMMAND } from './lenses';
import { resultsDirectory } from './resultsPanel';
import { isSpaceFile } from './spaceFileKind';

const keyOf = (file: string): string => path.resolve(file);

export class SweepStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('designSpaceLab.sweep', vscode.StatusBarAlignment.Left, 10);
  /** The last state of each sweep a task of this window ran, by the space file's path. */
  private readonly live = new Map<string, { uri: vscode.Uri; state: SweepRunState }>();
  private readonly subscription: vscode.Disposable;
  /** The file whose sweep the item shows, and its state. */
  private shown: { uri: vscode.Uri; state: SweepRunState } | undefined;

  constructor(private readonly overviews: SweepOverviews) {
    this.item.name = 'Design Space Lab sweep';
    this.subscription = vscode.window.onDidChangeActiveTextEditor(() => this.render());
    this.render();
  }

  /** The state of `uri`'s sweep: live while a task of this window runs it, else what is on disk. */
  private current(uri: vscode.Uri): SweepRunState | undefined {
    const live = this.live.get(keyOf(uri.fsPath))?.state;
    if (live) return live;
    const dir = resultsDirectory(uri);
    if (dir === undefined || !fs.existsSync(manifestPath(dir))) return undefined;
    const read = this.overviews.read(dir);
    return 'overview' in read ? overviewState(read.overview) : undefined;
  }

  /** The last state a task of this window reported for `file`'s sweep. */
  stateOf(file: string): SweepRunState | undefined {
    return this.live.get(keyOf(file))?.state;
  }

  /** A task moved `file`'s sweep on. */
  update(file: string, state: SweepRunState): void {
    const key = keyOf(file);
    const uri = vscode.workspace.textDocuments.find((d) => keyOf(d.uri.fsPath) === key)?.uri ?? vscode.Uri.file(file);
    this.live.set(key, { uri, state });
    this.render();
  }

  /**
   * Shows the active space file's sweep, else a running one, else nothing. With no text editor
   * active (the Results panel, the terminal), it keeps showing the sweep it showed, updated.
   */
  render(): void {
    const document = vscode.window.activeTextEditor?.document;
    let shown: { uri: vscode.Uri; state: SweepRunState } | undefined;
    if (document && isSpaceFile(document.fileName, document.getText())) {
      const state = this.current(document.uri);
      if (state) shown = { uri: document.uri, state };
    } else if (!document && this.shown) {
      shown = { uri: this.shown.uri, state: this.current(this.shown.uri) ?? this.shown.state };
    }
    shown ??= [...this.live.values()].find((s) => s.state.phase === 'running' || s.state.phase === 'stopping');
    this.shown = shown;
    if (!shown) return void this.item.hide();
    this.item.text = `$(${statusBarIcon(shown.state.phase)}) ${statusBarText(shown.state)}`;
    this.item.tooltip = `${path.basename(shown.uri.fsPath)}: ${sweepStateText(shown.state)}. Click to open its results.`;
    this.item.command = { title: 'Open Results', command: COMMAND.showResults, arguments: [shown.uri.toString()] };
    this.item.show();
  }

  dispose(): void {
    this.subscription.dispose();
    this.item.dispose();
  }
}
