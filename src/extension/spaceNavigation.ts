/**
 * Space names as symbols: go to definition and find references from an `extends:` value, a
 * `pairs` entry or the space's own key; rename everywhere at once; the Outline lists the spaces;
 * quick fixes apply the fix a diagnostic proposes ("did you mean", a nearest multiple, a swapped
 * range). The logic is the core's (spaceNames.ts, Diagnostic.fix); this adapts it to VS Code.
 */
import * as vscode from 'vscode';
import type { SourceRange } from '../core/space';
import { SPACE_NAME_PATTERN, spaceNameAt, spaceNameOccurrences, type SpaceNameOccurrence } from '../core/space/spaceNames';
import { DIAGNOSTIC_SOURCE } from './diagnosticData';
import type { SpaceDocuments } from './spaceDocuments';

const toRange = (r: SourceRange): vscode.Range => new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);

/** Occurrences of the space name under the position, and that name's definition, for a space file. */
function lookup(documents: SpaceDocuments, document: vscode.TextDocument, position: vscode.Position): { at: SpaceNameOccurrence; all: SpaceNameOccurrence[] } | undefined {
  if (!documents.isSpaceDocument(document)) return undefined;
  const occurrences = spaceNameOccurrences(document.getText());
  const at = spaceNameAt(occurrences, position.line, position.character);
  return at === undefined ? undefined : { at, all: occurrences.filter((o) => o.name === at.name) };
}

export class SpaceNavigation implements vscode.DefinitionProvider, vscode.ReferenceProvider, vscode.RenameProvider, vscode.DocumentSymbolProvider {
  constructor(private readonly documents: SpaceDocuments) {}

  provideDefinition(document: vscode.TextDocument, position: vscode.Position): vscode.Location | undefined {
    const found = lookup(this.documents, document, position);
    const definition = found?.all.find((o) => o.kind === 'definition');
    return definition === undefined ? undefined : new vscode.Location(document.uri, toRange(definition.range));
  }

  provideReferences(document: vscode.TextDocument, position: vscode.Position, context: vscode.ReferenceContext): vscode.Location[] | undefined {
    const found = lookup(this.documents, document, position);
    return found?.all.filter((o) => context.includeDeclaration || o.kind !== 'definition').map((o) => new vscode.Location(document.uri, toRange(o.range)));
  }

  prepareRename(document: vscode.TextDocument, position: vscode.Position): vscode.Range {
    const found = lookup(this.documents, document, position);
    if (!found || !found.all.some((o) => o.kind === 'definition')) throw new Error('Only the name of a space of this file can be renamed here.');
    return toRange(found.at.range);
  }

  provideRenameEdits(document: vscode.TextDocument, position: vscode.Position, newName: string): vscode.WorkspaceEdit | undefined {
    const found = lookup(this.documents, document, position);
    if (!found) return undefined;
    if (!SPACE_NAME_PATTERN.test(newName)) {
      throw new Error(`'${newName}' is not a space name: letters, digits, _, - and ., starting with a letter or _, at most 64 characters.`);
    }
    const taken = spaceNameOccurrences(document.getText()).some((o) => o.kind === 'definition' && o.name === newName);
    if (taken && newName !== found.at.name) throw new Error(`A space named '${newName}' already exists in this file.`);
    const edit = new vscode.WorkspaceEdit();
    for (const o of found.all) edit.replace(document.uri, toRange(o.range), newName);
    return edit;
  }

  provideDocumentSymbols(document: vscode.TextDocument): vscode.DocumentSymbol[] | undefined {
    const result = this.documents.get(document);
    if (!result) return undefined;
    return result.spaceKeys.map(({ name, range }) => {
      const space = result.resolved?.spaces.find((s) => s.name === name);
      const detail = space ? `${space.type}${space.extends ? `, extends ${space.extends}` : ''}` : '';
      return new vscode.DocumentSymbol(name, detail, vscode.SymbolKind.Class, toRange(range), toRange(range));
    });
  }
}

/** Quick fixes: each of our diagnostics that proposes a replacement becomes a code action. */
export class SpaceQuickFixes implements vscode.CodeActionProvider {
  static readonly kinds = [vscode.CodeActionKind.QuickFix];

  constructor(private readonly documents: SpaceDocuments) {}

  provideCodeActions(document: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] | undefined {
    const result = this.documents.get(document);
    if (!result) return undefined;
    const actions: vscode.CodeAction[] = [];
    for (const shown of context.diagnostics) {
      if (shown.source !== DIAGNOSTIC_SOURCE) continue;
      const d = result.diagnostics.find((x) => x.fix !== undefined && x.message === shown.message && toRange(x.range).isEqual(shown.range));
      if (!d?.fix) continue;
      const action = new vscode.CodeAction(d.fix.title, vscode.CodeActionKind.QuickFix);
      action.edit = new vscode.WorkspaceEdit();
      action.edit.replace(document.uri, shown.range, d.fix.text);
      action.diagnostics = [shown];
      action.isPreferred = true;
      actions.push(action);
    }
    return actions;
  }
}
