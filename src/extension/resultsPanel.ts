/**
 * The Results panel: one webview per space file (or per sweep directory, for a sweep no space
 * file makes: an import) beside the editor, running the panel app (webview/panel.ts, loaded
 * from out/webview with media/panel.css). The host analyzes the sweep in the panel's worker
 * thread (panelWorker.ts), which keeps the analysis while the panel is open, posts the panel's
 * form of it and answers the panel's requests for the details of the trials it selects. While a
 * sweep task of the file runs, each finished trial schedules a new analysis (at most one every
 * ANALYZE_INTERVAL_MS) and every event posts the running state, so the charts fill in live. An
 * open panel comes back after a window reload through its serializer (the file or directory is
 * in the panel's saved state).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { isPanelMessage, type HostToPanelMessage, type SweepRunState } from '../core/analysis/panelProtocol';
import { restoreViewState, trialKey } from '../core/analysis/panelState';
import { manifestPath, trialPath } from '../core/results/layout';
import type { SweepEvent } from '../core/analysis/sweepEvents';
import { readSettings } from './config';
import type { PanelSourceRequest, PanelSourceResponse } from './panelSource';
import { sweepStamp } from './sweepOverviews';
import { sweepDirectory } from './sweepTaskDefinition';
import { makeNonce, panelHtml } from './webviewHtml';
import { WorkerSession } from './workerThread';

/** The panel's view type: the serializer and the activation event name it. */
export const RESULTS_VIEW_TYPE = 'designSpaceLab.results';

/** Shortest time between two analyses of a running sweep. */
const ANALYZE_INTERVAL_MS = 1500;

/** Whether `dir` is a sweep directory itself (it holds a `sweep.json`). */
const isSweepDirectory = (dir: string): boolean => fs.existsSync(manifestPath(dir)) && fs.statSync(dir).isDirectory();

/** The sweep directory of a space file on disk, or the directory itself when the URI names a sweep directory (undefined for untitled documents). */
export function resultsDirectory(uri: vscode.Uri): string | undefined {
  if (uri.scheme !== 'file' && uri.scheme !== 'vscode-remote') return undefined;
  if (isSweepDirectory(uri.fsPath)) return uri.fsPath;
  const folder = vscode.workspace.getWorkspaceFolder(uri)?.uri.fsPath ?? path.dirname(uri.fsPath);
  return sweepDirectory(folder, uri.fsPath, readSettings(uri).outputDirectory);
}

/** True when the file (or directory) has a sweep with a `sweep.json` to show. */
export function hasResults(uri: vscode.Uri): boolean {
  const dir = resultsDirectory(uri);
  return dir !== undefined && fs.existsSync(manifestPath(dir));
}

/** One open panel: its webview, its worker, the last sweep state and the analysis schedule. */
class ResultsPanel {
  private ready = false;
  private readonly source: WorkerSession<PanelSourceRequest, PanelSourceResponse>;
  /** The last analysis message and the sweep's stamp it was made at: a page that starts over while the sweep is unchanged gets it again without a new analysis. */
  private last: { stamp: string; message: HostToPanelMessage } | undefined;
  /** The analysis message the page has drawn (none after it starts over). */
  private shown: HostToPanelMessage | undefined;
  private state: SweepRunState | undefined;
  /** The selection the panel reported last, sent again to a panel that starts over. */
  private selected: string | undefined;
  private analyzing = false;
  private again = false;
  private lastAnalysis = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    readonly uri: vscode.Uri,
    readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    private readonly log: vscode.OutputChannel,
    onDispose: () => void,
  ) {
    this.source = new WorkerSession(path.join(extensionUri.fsPath, 'out', 'extension', 'panelWorker.js'));
    const webview = panel.webview;
    webview.options = {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'out', 'webview'), vscode.Uri.joinPath(extensionUri, 'media')],
    };
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'results.svg');
    webview.html = panelHtml({
      nonce: makeNonce(),
      cspSource: webview.cspSource,
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'out', 'webview', 'panel.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', 'panel.css')).toString(),
      file: uri.toString(),
      title: `Results: ${path.basename(uri.fsPath)}`,
    });
    this.disposables.push(
      webview.onDidReceiveMessage((m: unknown) => this.receive(m)),
      panel.onDidDispose(() => {
        clearTimeout(this.timer);
        this.source.dispose();
        for (const d of this.disposables) d.dispose();
        onDispose();
      }),
    );
  }

  private post(message: HostToPanelMessage): void {
    if (this.ready) void this.panel.webview.postMessage(message);
  }

  private receive(message: unknown): void {
    if (!isPanelMessage(message)) {
      this.log.appendLine(`[results] ignored a message from the panel: ${JSON.stringify(message)?.slice(0, 200)}`);
      return;
    }
    switch (message.type) {
      case 'ready':
        // A new page (first load, or the webview was re-created): give it everything.
        this.ready = true;
        this.shown = undefined;
        void this.analyze();
        break;
      case 'select':
        this.selected = trialKey(message);
        break;
      case 'details':
        void this.sendDetails(message.keys);
        break;
      case 'openTrial':
        void this.openTrial(message.space, message.index);
        break;
      case 'error':
        this.log.appendLine(`[results] ${this.uri.fsPath}: ${message.message}`);
        break;
    }
  }

  private async sendDetails(keys: string[]): Promise<void> {
    const response = await this.source.request({ type: 'details', keys });
    if ('error' in response) return void this.log.appendLine(`[results] ${this.uri.fsPath}: ${response.error}`);
    if (response.type === 'details') this.post(response);
  }

  private async openTrial(space: string, index: number): Promise<void> {
    const dir = resultsDirectory(this.uri);
    if (dir === undefined) return;
    const file = trialPath(dir, space, index);
    if (!fs.existsSync(file)) return void vscode.window.showInformationMessage(`${space} #${index} has no record yet (${file}).`);
    // Beside the panel, which stays in view.
    await vscode.window.showTextDocument(vscode.Uri.file(file), { viewColumn: vscode.ViewColumn.Beside, preview: true });
  }

  /** A sweep of the file moved on: show its state; a finished trial (or the end) schedules an analysis. */
  sweepChanged(state: SweepRunState, event?: SweepEvent): void {
    this.state = state;
    this.post({ type: 'sweepState', state });
    if (event === undefined || event.type === 'started' || event.type === 'finished') void this.analyze();
    else if (event.type === 'trialFinished' || event.type === 'round') this.schedule();
  }

  /** Analyzes soon: at once when the last analysis is old enough, else when it is. */
  private schedule(): void {
    if (this.timer) return;
    const wait = Math.max(0, this.lastAnalysis + ANALYZE_INTERVAL_MS - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.analyze();
    }, wait);
  }

  /** Analyzes the sweep in the panel's worker and posts the result; one analysis at a time, the last request wins. */
  async analyze(): Promise<void> {
    if (!this.ready) return;
    if (this.analyzing) {
      this.again = true;
      return;
    }
    const dir = resultsDirectory(this.uri);
    if (dir === undefined) return;
    this.analyzing = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    try {
      let stamp: string | undefined;
      try {
        stamp = sweepStamp(dir);
      } catch {
        stamp = undefined; // the analysis says what is wrong with the directory
      }
      let message = stamp !== undefined && this.last?.stamp === stamp ? this.last.message : undefined;
      if (!message) {
        const response = await this.source.request({ type: 'analyze', dir, ...(this.selected !== undefined ? { selected: this.selected } : {}) });
        this.lastAnalysis = Date.now();
        if ('error' in response || response.type !== 'analysis') {
          const error = 'error' in response ? response.error : response.type === 'error' ? response.message : `unexpected answer ${response.type}`;
          this.log.appendLine(`[results] ${dir}: ${error}`);
          this.post({ type: 'error', message: `Cannot analyze ${dir}: ${error}` });
          return;
        }
        message = response;
        this.last = stamp === undefined ? undefined : { stamp, message };
      }
      if (message === this.shown) return; // the sweep did not change since the page drew it
      this.post(message);
      this.shown = message;
      if (this.state) this.post({ type: 'sweepState', state: this.state });
      if (this.selected !== undefined) this.post({ type: 'select', key: this.selected });
    } finally {
      this.analyzing = false;
      if (this.again) {
        this.again = false;
        this.schedule();
      }
    }
  }

  dispose(): void {
    this.panel.dispose();
  }
}

/** Panels are found by the file's path: the lens passes a URI, the task a path. */
const keyOf = (uri: vscode.Uri): string => path.resolve(uri.fsPath);

export class ResultsPanels implements vscode.Disposable, vscode.WebviewPanelSerializer {
  private readonly panels = new Map<string, ResultsPanel>();

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly log: vscode.OutputChannel,
    /** The last state a task of this window reported for a file's sweep. */
    private readonly stateOf: (file: string) => SweepRunState | undefined,
  ) {}

  /** Opens (or reveals) the results of a space file or a sweep directory. With `quiet`, a file without results opens nothing and says nothing. */
  async show(uriString: string, quiet = false): Promise<void> {
    const uri = vscode.Uri.parse(uriString);
    const open = this.panels.get(keyOf(uri));
    if (open) {
      open.panel.reveal(undefined, true);
      // The sweep may have changed on disk (a new import into the same folder): drawn again if so.
      return void open.analyze();
    }
    if (!hasResults(uri)) {
      if (!quiet) void vscode.window.showInformationMessage(`No results yet for ${path.basename(uri.fsPath)}: run ▶ Sample & Train first.`);
      return;
    }
    const panel = vscode.window.createWebviewPanel(RESULTS_VIEW_TYPE, `Results: ${path.basename(uri.fsPath)}`, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, { enableScripts: true });
    this.attach(uri, panel);
  }

  /** Brings back a panel of an earlier window session (its state names the file). */
  async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
    const file = restoreViewState(state)?.file;
    if (file === undefined || this.panels.has(keyOf(vscode.Uri.parse(file)))) return void panel.dispose();
    this.attach(vscode.Uri.parse(file), panel);
  }

  private attach(uri: vscode.Uri, panel: vscode.WebviewPanel): void {
    const key = keyOf(uri);
    const opened = new ResultsPanel(uri, panel, this.extensionUri, this.log, () => this.panels.delete(key));
    this.panels.set(key, opened);
    // A panel opened after its sweep ended (from the lens, the status bar) still says how it ended.
    const state = this.stateOf(uri.fsPath);
    if (state) opened.sweepChanged(state);
  }

  /**
   * A sweep task of `file` (a path) moved on. Its panel, if open, follows it; when the sweep
   * starts and no panel is open, one opens beside the editor, so the charts fill in as trials finish.
   */
  sweepChanged(file: string, state: SweepRunState, event?: SweepEvent): void {
    const key = path.resolve(file);
    const open = this.panels.get(key);
    if (open) open.sweepChanged(state, event);
    else if (event?.type === 'started') {
      // The file's URI as the editor has it (the scheme may be vscode-remote), else a file URI.
      const uri = vscode.workspace.textDocuments.find((d) => path.resolve(d.uri.fsPath) === key)?.uri ?? vscode.Uri.file(file);
      void this.show(uri.toString(), true).then(() => this.panels.get(key)?.sweepChanged(state, event));
    }
  }

  dispose(): void {
    for (const p of this.panels.values()) p.dispose();
    this.panels.clear();
  }
}
