/** Diagnostics as you type: every problem of the core's parse at its range, debounced. */
import * as vscode from 'vscode';
import { toEditorDiagnostic } from './diagnosticData';
import type { SpaceDocuments } from './spaceDocuments';

const DEBOUNCE_MS = 300;

export class SpaceDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('designSpaceLab');
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  private readonly subscriptions: vscode.Disposable[] = [];
  /** Fires after a document's diagnostics were refreshed (lenses follow them). */
  readonly onDidRefresh = this.changed.event;

  constructor(private readonly documents: SpaceDocuments) {
    this.subscriptions.push(
      vscode.workspace.onDidOpenTextDocument((d) => this.refresh(d)),
      vscode.workspace.onDidChangeTextDocument((e) => this.schedule(e.document)),
      vscode.workspace.onDidCloseTextDocument((d) => this.clear(d.uri)),
    );
    for (const d of vscode.workspace.textDocuments) this.refresh(d);
  }

  private schedule(document: vscode.TextDocument): void {
    const key = document.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        this.refresh(document);
      }, DEBOUNCE_MS),
    );
  }

  /** Parses the document now and publishes its diagnostics (none for a document that is not a space file). */
  refresh(document: vscode.TextDocument): void {
    if (document.isClosed) return;
    const result = this.documents.get(document);
    if (!result) {
      if (this.collection.has(document.uri)) this.collection.delete(document.uri);
      return;
    }
    this.collection.set(
      document.uri,
      result.diagnostics.map(toEditorDiagnostic).map((d) => {
        const range = new vscode.Range(d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character);
        const diagnostic = new vscode.Diagnostic(range, d.message, d.severity === 0 ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning);
        diagnostic.source = d.source;
        diagnostic.code = d.code;
        return diagnostic;
      }),
    );
    this.changed.fire(document.uri);
  }

  private clear(uri: vscode.Uri): void {
    const key = uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
    this.collection.delete(uri);
    this.documents.forget(uri);
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    for (const s of this.subscriptions) s.dispose();
    this.collection.dispose();
    this.changed.dispose();
  }
}
