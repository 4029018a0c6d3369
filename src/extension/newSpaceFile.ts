/** "Design Space Lab: New Space File": the example space file as a template, in the workspace or untitled. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { spaceFileTemplate } from '../core/space/template';

/** Creates `<name>.regnet.yaml` in the first workspace folder (asking for the name), or an untitled YAML document without a folder. */
export async function newSpaceFile(extensionPath: string): Promise<void> {
  const example = fs.readFileSync(path.join(extensionPath, 'examples', 'space.regnet.yaml'), 'utf8');
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) {
    const document = await vscode.workspace.openTextDocument({ language: 'yaml', content: spaceFileTemplate(example, undefined) });
    await vscode.window.showTextDocument(document);
    return;
  }
  const name = await vscode.window.showInputBox({
    title: 'New Space File',
    prompt: `File name in ${folder.name}`,
    value: 'space.regnet.yaml',
    valueSelection: [0, 'space'.length],
    validateInput: (v) => {
      if (!/\.regnet\.ya?ml$/.test(v)) return 'The name ends in .regnet.yaml, so that the editor knows it is a space file';
      if (fs.existsSync(path.join(folder.uri.fsPath, v))) return `${v} exists already`;
      return undefined;
    },
  });
  if (name === undefined) return;
  const uri = vscode.Uri.joinPath(folder.uri, name);
  await vscode.workspace.fs.writeFile(uri, Buffer.from(spaceFileTemplate(example, name), 'utf8'));
  await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
}
