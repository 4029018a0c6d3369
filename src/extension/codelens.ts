/** CodeLenses of a space file (placement and wording in lenses.ts), refreshed with its diagnostics, on trust and after sweeps. */
import * as vscode from 'vscode';
import { lensesFor } from './lenses';
import { hasResults } from './resultsPanel';
import type { SpaceDocuments } from './spaceDocuments';

export class SpaceCodeLensProvider implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;

  constructor(private readonly documents: SpaceDocuments) {}

  refresh(): void {
    this.changed.fire();
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const result = this.documents.get(document);
    if (!result) return [];
    return lensesFor(result, document.uri.toString(), vscode.workspace.isTrusted, hasResults(document.uri)).map((l) => {
      const range = new vscode.Range(l.range.start.line, l.range.start.character, l.range.end.line, l.range.end.character);
      return new vscode.CodeLens(range, { title: l.title, tooltip: l.tooltip, command: l.command, arguments: l.args });
    });
  }

  dispose(): void {
    this.changed.dispose();
  }
}
