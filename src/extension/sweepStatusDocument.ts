/**
 * "Show Sweep Status": `dslab status` of a sweep (local or on Slurm: done, running, pending and
 * failed trials, each failure with the scheduler's reason) in a read-only editor beside the space
 * file. The CLI runs in a child process, as the sweep does: asking the scheduler can take a while
 * and must not block the editor. Running the command again refreshes the document.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { resultsDirectory } from './resultsPanel';
import { runDslab } from './dslabProcess';

export const SHOW_STATUS_COMMAND = 'designSpaceLab.showSweepStatus';
export const STATUS_SCHEME = 'dslab-status';

/** `dslab-status:/space.regnet status?/abs/dir`: the tab reads "space.regnet status". */
export function statusUri(dir: string): vscode.Uri {
  return vscode.Uri.from({ scheme: STATUS_SCHEME, path: `/${path.basename(dir)} status`, query: dir });
}

export class SweepStatusDocuments implements vscode.TextDocumentContentProvider {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  constructor(private readonly extensionPath: string) {}

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const dir = uri.query;
    const cli = path.join(this.extensionPath, 'bin', 'dslab');
    const cwd = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? path.dirname(dir);
    const r = await runDslab(cli, ['status', dir], cwd);
    if (r.code === 0) return `${r.stdout}\n(as of ${new Date().toLocaleTimeString()}; run "Design Space Lab: Show Sweep Status" again to refresh)\n`;
    return `dslab status ${dir} failed:\n${r.stderr.replace(/^dslab status: /, '') || `exit ${r.code}`}\n`;
  }

  /**
   * Shows the status of a sweep: `target` is its directory (from the Sweeps view or a
   * notification), a space file's URI (the palette, with the file active), or a Sweeps view item.
   */
  async show(target?: string | { dir: string }): Promise<void> {
    const dir = typeof target === 'object' ? target.dir : target !== undefined && !target.includes('://') ? target : this.directoryOf(target);
    if (dir === undefined) return void vscode.window.showErrorMessage('Open a space file (*.regnet.yaml) to see the status of its sweep.');
    const uri = statusUri(dir);
    this.changed.fire(uri);
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.Beside, preview: true, preserveFocus: true });
  }

  private directoryOf(uri: string | undefined): string | undefined {
    const file = uri ?? vscode.window.activeTextEditor?.document.uri.toString();
    return file === undefined ? undefined : resultsDirectory(vscode.Uri.parse(file));
  }

  dispose(): void {
    this.changed.dispose();
  }
}
