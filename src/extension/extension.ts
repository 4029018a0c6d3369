/**
 * Activation: wires the space-file features (diagnostics, hover, completion, lenses), the Sample
 * view, the sweep task, the Results panels (which follow the task's sweeps and come back after a
 * reload), the import of results trained elsewhere and the commands, and owns their disposal.
 * Every feature adapts core code.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { SpaceCodeLensProvider } from './codelens';
import { SpaceDiagnostics } from './diagnostics';
import { SpaceCompletionProvider, SpaceHoverProvider } from './languageFeatures';
import { SpaceNavigation, SpaceQuickFixes } from './spaceNavigation';
import { ImportFiles } from './importFiles';
import { defaultNativeModulesPath, installNativeBackend } from './installNativeBackend';
import { COMMAND } from './lenses';
import { newSpaceFile } from './newSpaceFile';
import { ResultsPanels, RESULTS_VIEW_TYPE } from './resultsPanel';
import { SAMPLE_SCHEME, SampleDocuments, showSample } from './sampleView';
import { SpaceDocuments } from './spaceDocuments';
import { sweepTask, SweepTaskProvider, type SweepTaskEnvironment } from './sweepTask';
import { SweepStatusBar } from './sweepStatusBar';
import { SweepsView, SWEEPS_VIEW } from './sweepsView';
import { SHOW_STATUS_COMMAND, STATUS_SCHEME, SweepStatusDocuments } from './sweepStatusDocument';
import { SweepOverviews } from './sweepOverviews';
import { parseTaskDefinition, TASK_TYPE, type SweepTaskDefinition } from './sweepTaskDefinition';

const YAML: vscode.DocumentSelector = [
  { language: 'yaml', scheme: 'file' },
  { language: 'yaml', scheme: 'untitled' },
  { language: 'yaml', scheme: 'vscode-remote' },
];

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('Design Space Lab');
  const overviews = new SweepOverviews();
  const status = new SweepStatusBar(overviews);
  const documents = new SpaceDocuments();
  const diagnostics = new SpaceDiagnostics(documents);
  const lenses = new SpaceCodeLensProvider(documents);
  const hover = new SpaceHoverProvider(documents);
  const navigation = new SpaceNavigation(documents);
  const samples = new SampleDocuments();
  const statusDocuments = new SweepStatusDocuments(context.extensionPath);
  const results = new ResultsPanels(context.extensionUri, log, (file) => status.stateOf(file));
  const sweeps = new SweepsView(context.extensionPath, (file) => status.stateOf(file), (uri) => results.show(uri), log, overviews);
  const imports = new ImportFiles(context.extensionPath, log, (uri) => results.show(uri), () => sweeps.refresh());
  const taskEnv: SweepTaskEnvironment = {
    extensionPath: context.extensionPath,
    log,
    defaultNativeModulesPath: () => defaultNativeModulesPath(context),
    onSweep: (file, state, event) => {
      status.update(file, state);
      results.sweepChanged(file, state, event);
      sweeps.refreshSoon();
    },
    onMismatch: (definition, folder, mismatch) => void offerFreshSweep(definition, folder, mismatch),
  };
  /** The sweep folder holds a sweep of other settings: a fresh sweep (keeping that one), or its results. */
  const offerFreshSweep = async (definition: SweepTaskDefinition, folder: string, mismatch: { differences: string[]; keptAs: string }): Promise<void> => {
    const uri = vscode.Uri.file(path.resolve(folder, definition.file));
    const MAX = 3;
    const shown = mismatch.differences.slice(0, MAX).join('; ') + (mismatch.differences.length > MAX ? `; and ${mismatch.differences.length - MAX} more` : '');
    const fresh = 'Start a Fresh Sweep';
    const previous = 'Open Previous Results';
    const choice = await vscode.window.showWarningMessage(
      `The sweep of ${path.basename(uri.fsPath)} was made with other settings${shown ? ` (${shown})` : ''}. A fresh sweep keeps it as ${path.basename(mismatch.keptAs)}.`,
      fresh,
      previous,
    );
    if (choice === fresh) await vscode.tasks.executeTask(sweepTask({ ...definition, fresh: true }, vscode.workspace.getWorkspaceFolder(uri), taskEnv));
    else if (choice === previous) await results.show(uri.toString());
  };

  context.subscriptions.push(
    log,
    status,
    diagnostics,
    lenses,
    samples,
    results,
    sweeps,
    imports,
    vscode.window.registerTreeDataProvider(SWEEPS_VIEW, sweeps),
    vscode.tasks.onDidEndTask((e) => {
      if (typeof parseTaskDefinition(e.execution.task.definition) === 'string') return;
      lenses.refresh();
      status.render();
      sweeps.refresh();
    }),
    vscode.window.registerWebviewPanelSerializer(RESULTS_VIEW_TYPE, results),
    diagnostics.onDidRefresh(() => lenses.refresh()),
    vscode.workspace.onDidCloseTextDocument((d) => hover.forget(d.uri)),
    vscode.workspace.onDidGrantWorkspaceTrust(() => lenses.refresh()),
    vscode.languages.registerCodeLensProvider(YAML, lenses),
    vscode.languages.registerHoverProvider(YAML, hover),
    vscode.languages.registerCompletionItemProvider(YAML, new SpaceCompletionProvider(documents), ':', '[', ','),
    vscode.languages.registerDefinitionProvider(YAML, navigation),
    vscode.languages.registerReferenceProvider(YAML, navigation),
    vscode.languages.registerRenameProvider(YAML, navigation),
    vscode.languages.registerDocumentSymbolProvider(YAML, navigation),
    vscode.languages.registerCodeActionsProvider(YAML, new SpaceQuickFixes(documents), { providedCodeActionKinds: SpaceQuickFixes.kinds }),
    vscode.workspace.registerTextDocumentContentProvider(SAMPLE_SCHEME, samples),
    statusDocuments,
    vscode.workspace.registerTextDocumentContentProvider(STATUS_SCHEME, statusDocuments),
    vscode.commands.registerCommand(SHOW_STATUS_COMMAND, (target?: string | { dir: string }) => statusDocuments.show(target)),
    vscode.tasks.registerTaskProvider(TASK_TYPE, new SweepTaskProvider(taskEnv)),
    vscode.commands.registerCommand(COMMAND.newSpaceFile, () => newSpaceFile(context.extensionPath)),
    vscode.commands.registerCommand('designSpaceLab.showLog', () => log.show()),
    vscode.commands.registerCommand('designSpaceLab.installNativeBackend', () => installNativeBackend(context, log)),
    vscode.commands.registerCommand(COMMAND.showResults, async (uri?: string) => {
      const target = uri ?? vscode.window.activeTextEditor?.document.uri.toString();
      if (target === undefined) return void vscode.window.showErrorMessage('Open a space file (*.regnet.yaml) to see its results.');
      await results.show(target);
    }),
    vscode.commands.registerCommand(COMMAND.sample, async (uri?: string, space?: string) => {
      const target = uri ?? vscode.window.activeTextEditor?.document.uri.toString();
      if (target === undefined) return void vscode.window.showErrorMessage('Open a space file (*.regnet.yaml) to sample it.');
      await showSample(context.extensionPath, samples, log, target, space);
    }),
    vscode.commands.registerCommand(COMMAND.sampleAndTrain, async (uri?: string, space?: string) => {
      if (!vscode.workspace.isTrusted) return void vscode.window.showWarningMessage('Training runs code on this machine: trust the workspace to train.');
      const target = uri ?? vscode.window.activeTextEditor?.document.uri.toString();
      if (target === undefined) return void vscode.window.showErrorMessage('Open a space file (*.regnet.yaml) to train it.');
      const document = await vscode.workspace.openTextDocument(vscode.Uri.parse(target));
      if (document.uri.scheme !== 'file' && document.uri.scheme !== 'vscode-remote') {
        return void vscode.window.showErrorMessage('Save the space file first: a sweep reads it from disk.');
      }
      if (document.isDirty && !(await document.save())) return;
      const folder = vscode.workspace.getWorkspaceFolder(document.uri);
      const file = folder ? path.relative(folder.uri.fsPath, document.uri.fsPath) : document.uri.fsPath;
      await vscode.tasks.executeTask(sweepTask({ type: TASK_TYPE, file, ...(space !== undefined ? { space } : {}) }, folder, taskEnv));
    }),
  );
  log.appendLine(`Design Space Lab ${String(context.extension.packageJSON.version)} active`);
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions; running sweep tasks stop with their terminals.
}
