/**
 * Results trained elsewhere, in the editor: a collected pycls sweep (`sweep.json`) or an NDS
 * population (`ResNet.json`…), recognized by its first job (without parsing a 100 MB file). When
 * one is opened a notification offers to analyze it, and the editor's title shows the action;
 * the Explorer's context menu has it for any JSON file. Analyzing imports the file as
 * `dslab import` does into the workspace's sweeps folder (`.dslab/<name>/`), in a worker thread
 * with progress and cancel, and opens the Results panel on that sweep directory.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { importFormatOfFile, importNameOf, type ImportProgress } from '../core/interop/importFile';
import { importFolderProblem, spaceNameOf } from '../core/interop/importedSweep';
import { count, groupThousands } from '../core/presentation/counts';
import type { ImportFormat } from '../core/results/records';
import { readSettings } from './config';
import type { ImportRequest, ImportResponse } from './importRequest';
import { importDirectory } from './sweepTaskDefinition';
import { runWorker } from './workerThread';

import { name as TOOL_NAME, version as TOOL_VERSION } from '../../package.json';

export const ANALYZE_IMPORT_COMMAND = 'designSpaceLab.analyzeImport';
/** Context key: the active editor's file is one to analyze (the title action's `when`). */
const IMPORTABLE_CONTEXT = 'designSpaceLab.importableFile';
const ACTION = 'Analyze in Design Space Lab';

const FORMAT_NAMES: Record<ImportFormat, string> = { pycls: 'a collected pycls sweep', nds: 'an NDS population' };

/** A JSON file on a disk the extension reads (as the Results panel, a remote window's files too). */
const isJsonFile = (uri: vscode.Uri): boolean => (uri.scheme === 'file' || uri.scheme === 'vscode-remote') && uri.fsPath.toLowerCase().endsWith('.json');

export class ImportFiles implements vscode.Disposable {
  /** Files whose notification was shown in this window. */
  private readonly offered = new Set<string>();
  private readonly formats = new Map<string, { mtime: number; format: ImportFormat | undefined }>();
  private readonly disposables: vscode.Disposable[];

  constructor(
    private readonly extensionPath: string,
    private readonly log: vscode.OutputChannel,
    /** Opens the Results panel of a sweep directory (a URI string). */
    private readonly showResults: (uri: string) => Promise<void>,
    /** Called when an import has written its sweep directory (the Sweeps view lists it at once). */
    private readonly onImported: () => void,
  ) {
    this.disposables = [
      vscode.commands.registerCommand(ANALYZE_IMPORT_COMMAND, (uri?: vscode.Uri) => this.analyze(uri ?? vscode.window.activeTextEditor?.document.uri)),
      vscode.workspace.onDidOpenTextDocument((d) => this.offer(d.uri)),
      vscode.window.onDidChangeActiveTextEditor((e) => this.updateContext(e)),
    ];
    for (const d of vscode.workspace.textDocuments) this.offer(d.uri);
    this.updateContext(vscode.window.activeTextEditor);
  }

  /** The format of a file on disk, judged by its first job; remembered while the file is unchanged. */
  private formatOf(file: string): ImportFormat | undefined {
    let mtime: number;
    try {
      mtime = fs.statSync(file).mtimeMs;
    } catch {
      return undefined;
    }
    const known = this.formats.get(file);
    if (known?.mtime === mtime) return known.format;
    const format = importFormatOfFile(file);
    this.formats.set(file, { mtime, format });
    return format;
  }

  /** A file of a format we import was opened: offer to analyze it, once per window. */
  private offer(uri: vscode.Uri): void {
    if (!isJsonFile(uri) || this.offered.has(uri.fsPath)) return;
    const format = this.formatOf(uri.fsPath);
    if (format === undefined) return;
    this.offered.add(uri.fsPath);
    void vscode.window.showInformationMessage(`${path.basename(uri.fsPath)} is ${FORMAT_NAMES[format]}: analyze its error distributions, best ranges and width fits?`, ACTION).then((choice) => {
      if (choice === ACTION) void this.analyze(uri);
    });
  }

  private updateContext(editor: vscode.TextEditor | undefined): void {
    const uri = editor?.document.uri;
    const importable = uri !== undefined && isJsonFile(uri) && this.formatOf(uri.fsPath) !== undefined;
    void vscode.commands.executeCommand('setContext', IMPORTABLE_CONTEXT, importable);
  }

  /** Imports `uri` into the workspace's sweeps folder and opens its Results. */
  async analyze(uri: vscode.Uri | undefined): Promise<void> {
    if (!uri || !isJsonFile(uri)) return void vscode.window.showErrorMessage('Open a collected pycls sweep (sweep.json) or an NDS population (.json) to analyze it.');
    const file = uri.fsPath;
    const format = this.formatOf(file);
    if (format === undefined) {
      return void vscode.window.showErrorMessage(
        `${path.basename(file)} is neither a collected pycls sweep (a list of jobs with cfg and complexity) nor an NDS population (a list of jobs with net and flops), judged by its first job.`,
      );
    }
    const folder = vscode.workspace.getWorkspaceFolder(uri) ?? vscode.workspace.workspaceFolders?.[0];
    const out = importDirectory(folder?.uri.fsPath ?? path.dirname(file), readSettings(folder?.uri ?? uri).outputDirectory, file);
    const problem = importFolderProblem(out);
    if (problem !== undefined) return void vscode.window.showErrorMessage(`Cannot import ${path.basename(file)}: ${problem}. Delete it (Design Space Sweeps view: Delete Sweep…) to import there, or run dslab import with --out.`);
    const request: ImportRequest = { file, format, name: spaceNameOf(importNameOf(file)), out, tool: { name: TOOL_NAME, version: TOOL_VERSION }, cancel: new SharedArrayBuffer(4) };
    const megabytes = (fs.statSync(file).size / 1e6).toFixed(1);
    const response = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Importing ${path.basename(file)} (${FORMAT_NAMES[format]})`, cancellable: true },
      (progress, token) => {
        // The worker stops at its next step, so that no half-written folder is left.
        token.onCancellationRequested(() => Atomics.store(new Int32Array(request.cancel), 0, 1));
        let shown = 0;
        return runWorker<ImportRequest, ImportResponse, ImportProgress>(path.join(this.extensionPath, 'out', 'extension', 'importWorker.js'), request, undefined, (p) => {
          if (p.step === 'read') return progress.report({ message: `reading ${megabytes} MB…` });
          if (p.step === 'rebuild') return progress.report({ message: 'rebuilding the models…' });
          const percent = p.total > 0 ? (100 * p.done) / p.total : 100;
          progress.report({ message: `writing ${groupThousands(p.done)} of ${count(p.total, 'record')}`, increment: percent - shown });
          shown = percent;
        });
      },
    );
    if (response === undefined || 'cancelled' in response) return;
    if ('error' in response) {
      this.log.appendLine(`[import] ${response.error}`);
      // The message names the entry (or the folder) at fault; the file is in the sentence already.
      const message = response.error.startsWith(`${file}: `) ? response.error.slice(file.length + 2) : response.error;
      return void vscode.window.showErrorMessage(`Cannot import ${path.basename(file)}: ${message}`);
    }
    const { recorded, entries, unfinished, foreign } = response.imported;
    this.log.appendLine(
      `[import] ${file} (${format}): ${groupThousands(recorded)} of ${count(entries, 'job')} recorded into ${out}` +
        (unfinished > 0 ? `; ${count(unfinished, 'unfinished job')} without a record` : '') +
        (foreign > 0 ? `; ${count(foreign, 'model')} kept with complexity and error only` : ''),
    );
    this.onImported();
    await this.showResults(vscode.Uri.file(out).toString());
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
