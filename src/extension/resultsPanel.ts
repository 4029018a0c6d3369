/**
 * The Results lens: the sweep's HTML report (the one `dslab analyze --html` writes, rendered in a
 * worker thread) in a webview beside the editor, one panel per space file, under a strict CSP.
 * It is rendered again when a sweep task of that file ends.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { readSettings } from './config';
import type { ResultsRequest, ResultsResponse } from './resultsRequest';
import { sweepDirectory } from './sweepTaskDefinition';
import { makeNonce, withContentSecurityPolicy } from './webviewHtml';
import { runWorker } from './workerThread';

/** The sweep directory of a space file on disk (undefined for untitled documents). */
export function resultsDirectory(uri: vscode.Uri): string | undefined {
  if (uri.scheme !== 'file' && uri.scheme !== 'vscode-remote') return undefined;
  const folder = vscode.workspace.getWorkspaceFolder(uri)?.uri.fsPath ?? path.dirname(uri.fsPath);
  return sweepDirectory(folder, uri.fsPath, readSettings(uri).outputDirectory);
}

/** True when the file has a sweep with a `sweep.json` to show. */
export function hasResults(uri: vscode.Uri): boolean {
  const dir = resultsDirectory(uri);
  return dir !== undefined && fs.existsSync(path.join(dir, 'sweep.json'));
}

export class ResultsPanels implements vscode.Disposable {
  private readonly panels = new Map<string, vscode.WebviewPanel>();

  constructor(
    private readonly extensionPath: string,
    private readonly log: vscode.OutputChannel,
  ) {}

  /** Opens (or reveals and refreshes) the results of a space file. */
  async show(uriString: string): Promise<void> {
    const uri = vscode.Uri.parse(uriString);
    const dir = resultsDirectory(uri);
    if (dir === undefined || !fs.existsSync(path.join(dir, 'sweep.json'))) {
      void vscode.window.showInformationMessage(`No results yet for ${path.basename(uri.fsPath)}: run ▶ Sample & Train first.`);
      return;
    }
    const key = uri.toString();
    let panel = this.panels.get(key);
    if (panel) panel.reveal(undefined, true);
    else {
      panel = vscode.window.createWebviewPanel('designSpaceLab.results', `Results: ${path.basename(uri.fsPath)}`, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, {
        enableScripts: true,
        localResourceRoots: [],
        retainContextWhenHidden: true,
      });
      this.panels.set(key, panel);
      panel.onDidDispose(() => this.panels.delete(key));
    }
    await this.render(panel, dir);
  }

  /** Renders again the open panel of a space file, if any (after a sweep of it ended). */
  async refresh(file: string): Promise<void> {
    for (const [key, panel] of this.panels) {
      const uri = vscode.Uri.parse(key);
      const dir = resultsDirectory(uri);
      if (uri.fsPath === file && dir !== undefined) await this.render(panel, dir);
    }
  }

  private async render(panel: vscode.WebviewPanel, dir: string): Promise<void> {
    const request: ResultsRequest = { dir, bundlePath: path.join(this.extensionPath, 'out', 'webview', 'report.js') };
    const script = path.join(this.extensionPath, 'out', 'extension', 'resultsWorker.js');
    const response = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Analyzing the sweep' }, (_p, token) =>
      runWorker<ResultsRequest, ResultsResponse>(script, request, token),
    );
    if (!response) return;
    if ('error' in response) {
      this.log.appendLine(`[results] ${dir}: ${response.error}`);
      void vscode.window.showErrorMessage(`Cannot show the results in ${dir}: ${response.error}`);
      return;
    }
    panel.webview.html = withContentSecurityPolicy(response.html, makeNonce(), panel.webview.cspSource);
  }

  dispose(): void {
    for (const panel of this.panels.values()) panel.dispose();
    this.panels.clear();
  }
}
