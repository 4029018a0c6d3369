/**
 * The Sample lens: samples a space (or every space) with the core sampler in a worker thread, so
 * a large attempt budget never blocks the editor, and shows the models' table in the Markdown preview.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { SampleRequest, SampleResponse } from './sampleRequest';
import { runWorker } from './workerThread';

export const SAMPLE_SCHEME = 'dslab-sample';

/** Serves the sampled-models documents (read-only, Markdown). */
export class SampleDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly contents = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.contents.get(uri.toString()) ?? '';
  }

  set(uri: vscode.Uri, text: string): void {
    this.contents.set(uri.toString(), text);
    this.changed.fire(uri);
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/** Samples the file's spaces (or one) and opens the result beside the editor. */
export async function showSample(extensionPath: string, view: SampleDocuments, log: vscode.OutputChannel, uriString: string, space?: string): Promise<void> {
  const document = await vscode.workspace.openTextDocument(vscode.Uri.parse(uriString));
  const fileName = path.basename(document.fileName);
  const request: SampleRequest = { text: document.getText(), fileName, ...(space !== undefined ? { space } : {}) };
  const script = path.join(extensionPath, 'out', 'extension', 'sampleWorker.js');
  const response = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Sampling ${space ?? fileName}…`, cancellable: true },
    (_progress, token) => runWorker<SampleRequest, SampleResponse>(script, request, token),
  );
  if (!response) return;
  if ('error' in response) {
    log.appendLine(`[sample] ${response.error}`);
    void vscode.window.showErrorMessage(response.error);
    return;
  }
  const stem = path.parse(document.fileName).name;
  const uri = vscode.Uri.from({ scheme: SAMPLE_SCHEME, path: `/${stem}${space === undefined ? '' : `-${space}`} samples.md` });
  view.set(uri, response.markdown);
  // The tables read as tables in the Markdown preview; its source only where the preview is missing.
  try {
    await vscode.commands.executeCommand('markdown.showPreviewToSide', uri);
  } catch (err) {
    log.appendLine(`[sample] no Markdown preview (${(err as Error).message}); showing the source`);
    const shown = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(shown, { viewColumn: vscode.ViewColumn.Beside, preview: true, preserveFocus: true });
  }
}
