/** Hover (schema documentation; a space's definition, size and acceptance) and completion of keys and enum values. */
import * as vscode from 'vscode';
import { SPACE_SCHEMA } from '../core/space';
import { completionContextAt, keyCompletions, keyDocumentation, pathAt, valueCompletions } from '../core/space/schemaPath';
import { spaceNameOccurrences } from '../core/space/spaceNames';
import type { SpaceDocuments } from './spaceDocuments';
import type { Acceptance } from '../core/presentation/modelTable';
import { quickAcceptance, spaceHoverMarkdown } from './spaceSummary';

/** Quick-sample acceptance per space, for one document version. */
class AcceptanceCache {
  private readonly byDocument = new Map<string, { version: number; spaces: Map<string, Acceptance> }>();

  get(document: vscode.TextDocument, space: string, compute: () => Acceptance): Acceptance {
    const key = document.uri.toString();
    let entry = this.byDocument.get(key);
    if (!entry || entry.version !== document.version) {
      entry = { version: document.version, spaces: new Map() };
      this.byDocument.set(key, entry);
    }
    let acceptance = entry.spaces.get(space);
    if (!acceptance) {
      acceptance = compute();
      entry.spaces.set(space, acceptance);
    }
    return acceptance;
  }

  forget(uri: vscode.Uri): void {
    this.byDocument.delete(uri.toString());
  }
}

export class SpaceHoverProvider implements vscode.HoverProvider {
  private readonly acceptance = new AcceptanceCache();

  constructor(private readonly documents: SpaceDocuments) {}

  forget(uri: vscode.Uri): void {
    this.acceptance.forget(uri);
  }

  provideHover(document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    const result = this.documents.get(document);
    if (!result) return undefined;
    const at = pathAt(document.getText(), position.line, position.character);
    if (!at || !at.onKey) return undefined;
    const wordRange = document.getWordRangeAtPosition(position, /[\w.-]+/);
    const { path } = at;
    if (path.length === 2 && path[0] === 'spaces') {
      const space = result.resolved?.spaces.find((s) => s.name === path[1]);
      if (space) {
        const acceptance = this.acceptance.get(document, space.name, () => quickAcceptance(space));
        return new vscode.Hover(new vscode.MarkdownString(spaceHoverMarkdown(space, acceptance)), wordRange);
      }
    }
    const doc = keyDocumentation(SPACE_SCHEMA, path);
    return doc === undefined ? undefined : new vscode.Hover(new vscode.MarkdownString(doc), wordRange);
  }
}

/** The spaces a space can extend: every other space of the file. */
function extendsCompletions(text: string, path: readonly (string | number)[]): string[] {
  const self = path.length === 3 && path[0] === 'spaces' ? path[1] : undefined;
  return spaceNameOccurrences(text).filter((o) => o.kind === 'definition' && o.name !== self).map((o) => o.name);
}

export class SpaceCompletionProvider implements vscode.CompletionItemProvider {
  constructor(private readonly documents: SpaceDocuments) {}

  provideCompletionItems(document: vscode.TextDocument, position: vscode.Position): vscode.CompletionItem[] | undefined {
    if (!this.documents.isSpaceDocument(document)) return undefined;
    const context = completionContextAt(document.getText(), position.line, position.character);
    if (!context) return undefined;
    if (context.kind === 'spaceName') {
      return spaceNameOccurrences(document.getText())
        .filter((o) => o.kind === 'definition')
        .map((o) => new vscode.CompletionItem(o.name, vscode.CompletionItemKind.EnumMember));
    }
    if (context.kind === 'value') {
      // Right after the colon YAML still needs the space that separates key and value.
      const afterColon = document.lineAt(position.line).text.slice(0, position.character).endsWith(':');
      const values = context.path.at(-1) === 'extends' ? extendsCompletions(document.getText(), context.path) : valueCompletions(SPACE_SCHEMA, context.path);
      return values.map((v) => {
        const item = new vscode.CompletionItem(v, vscode.CompletionItemKind.EnumMember);
        if (afterColon) item.insertText = ` ${v}`;
        return item;
      });
    }
    return keyCompletions(SPACE_SCHEMA, context.path, context.existing).map((k) => {
      const item = new vscode.CompletionItem(k.key, vscode.CompletionItemKind.Property);
      item.insertText = k.isObject ? new vscode.SnippetString(`${k.key}:\n  $0`) : new vscode.SnippetString(`${k.key}: $0`);
      if (k.documentation) item.documentation = new vscode.MarkdownString(k.documentation);
      return item;
    });
  }
}
