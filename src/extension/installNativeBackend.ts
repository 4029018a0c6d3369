/**
 * The Install Native Backend command: pick tfjs-node-gpu, tfjs-node or WebGPU, npm installs it
 * into the extension's global storage (progress notification with cancel, npm's output in the
 * output channel), and sweeps find it there (the task passes the folder when the
 * nativeModulesPath setting is empty). A failure says why, what to do, and offers the log.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { readSettings, SECTION } from './config';
import { autoBackendText, installedVersion, installFailureMessage, nativeChoices, npmCommand, npmInstallArgs, prepareInstallFolder, runNpm, type NativeChoice } from './nativeInstall';

/** The folder the command installs into: `<global storage>/native` (its node_modules holds the packages). */
export function nativeInstallFolder(context: vscode.ExtensionContext): string {
  return path.join(context.globalStorageUri.fsPath, 'native');
}

/** The install folder when something was installed there, else '' (for the task, when the setting is empty). */
export function defaultNativeModulesPath(context: vscode.ExtensionContext): string {
  const folder = nativeInstallFolder(context);
  return fs.existsSync(path.join(folder, 'node_modules')) ? folder : '';
}

/** tfjs-core's version, which the native packages must match exactly. */
function tfjsVersion(context: vscode.ExtensionContext): string {
  const deps = (context.extension.packageJSON as { dependencies?: Record<string, string> }).dependencies ?? {};
  return deps['@tensorflow/tfjs-core'] ?? '4.22.0';
}

/** The command: quick pick, npm install, and the outcome in a message. */
export async function installNativeBackend(context: vscode.ExtensionContext, log: vscode.OutputChannel): Promise<void> {
  const prefix = nativeInstallFolder(context);
  const choices = nativeChoices(process.platform, process.arch, tfjsVersion(context));
  const picked = await vscode.window.showQuickPick(
    choices.map((c) => ({
      label: c.id,
      description: c.unsupported ? `not for this machine: ${c.unsupported}` : c.packages.join(' + '),
      detail: c.detail,
      choice: c,
    })),
    { title: 'Install a training backend', placeHolder: `Installed into ${prefix}` },
  );
  if (!picked) return;
  const choice = picked.choice;
  if (choice.unsupported) return void vscode.window.showErrorMessage(`${choice.id} cannot be installed here: ${choice.unsupported}.`);

  prepareInstallFolder(prefix);
  const npm = npmCommand(process.platform);
  const args = npmInstallArgs(prefix, choice.packages);
  log.appendLine(`[install] ${prefix}$ ${npm} ${args.join(' ')}`);
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Installing ${choice.packages.join(' + ')}`, cancellable: true },
    (progress, token) => {
      const abort = new AbortController();
      token.onCancellationRequested(() => abort.abort());
      return runNpm(npm, args, {
        cwd: prefix,
        signal: abort.signal,
        onLine: (line) => {
          log.appendLine(`[install] ${line}`);
          progress.report({ message: line.length > 80 ? `${line.slice(0, 77)}…` : line });
        },
      });
    },
  );
  log.appendLine(`[install] npm ${result.spawnError ? `did not start: ${result.spawnError}` : `exited with ${result.code ?? result.signal}`}`);
  if (result.cancelled) return void vscode.window.showInformationMessage(`Installing ${choice.id} was cancelled.`);
  const missing = choice.packages.filter((p) => installedVersion(prefix, p.slice(0, p.lastIndexOf('@'))) === undefined);
  if (result.code !== 0 || missing.length > 0) {
    const message = installFailureMessage(choice, result, prefix);
    log.appendLine(`[install] ${message}`);
    const action = await vscode.window.showErrorMessage(message.split('\n')[0], { detail: message.split('\n').slice(1).join('\n') }, 'Show Log');
    if (action === 'Show Log') log.show();
    return;
  }
  await reportSuccess(choice, prefix, choices);
}

async function reportSuccess(choice: NativeChoice, prefix: string, choices: NativeChoice[]): Promise<void> {
  const settings = readSettings();
  const installed = choices.filter((c) => c.packages.every((p) => installedVersion(prefix, p.slice(0, p.lastIndexOf('@'))) !== undefined)).map((c) => c.backend);
  const setting = settings.backend;
  const used =
    setting === choice.backend
      ? `Sweeps now train on ${choice.backend} (the backend setting names it).`
      : setting === 'auto'
        ? `Sweeps (backend setting 'auto') now try ${autoBackendText(installed)}.`
        : setting === ''
          ? `Space files with training.backend '${choice.backend}' now train on it; with 'auto' they try ${autoBackendText(installed)}.`
          : `The backend setting is '${setting}': set it to '${choice.backend}' or 'auto' to train on it.`;
  const where = settings.nativeModulesPath !== '' && path.resolve(settings.nativeModulesPath) !== path.resolve(prefix) ? ` Your setting designSpaceLab.nativeModulesPath points to ${settings.nativeModulesPath}, not here.` : '';
  const useIt = 'Use This Folder';
  const action = await vscode.window.showInformationMessage(`Installed ${choice.packages.join(' + ')} in ${prefix}. ${used}${where}`, ...(where ? [useIt] : []));
  if (action === useIt) await vscode.workspace.getConfiguration(SECTION).update('nativeModulesPath', prefix, vscode.ConfigurationTarget.Global);
}
