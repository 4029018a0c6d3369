/** Parsed space files by document version, so diagnostics, hover and lenses parse each version once. */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { parseSpaceText, type SpaceFileResult } from '../core/space';
import { isSpaceFile } from './spaceFileKind';

interface Entry {
  version: number;
  result: SpaceFileResult;
}

export class SpaceDocuments {
  private readonly entries = new Map<string, Entry>();

  /** True for YAML documents that are space files. */
  isSpaceDocument(document: vscode.TextDocument): boolean {
    return document.languageId === 'yaml' && isSpaceFile(document.fileName, document.getText());
  }

  /** The parse of the document's current version; undefined when it is not a space file. */
  get(document: vscode.TextDocument): SpaceFileResult | undefined {
    if (!this.isSpaceDocument(document)) return undefined;
    const key = document.uri.toString();
    const cached = this.entries.get(key);
    if (cached && cached.version === document.version) return cached.result;
    const defaultName = path.parse(document.fileName).name || 'space';
    const result = parseSpaceText(document.getText(), { defaultName });
    this.entries.set(key, { version: document.version, result });
    return result;
  }

  forget(uri: vscode.Uri): void {
    this.entries.delete(uri.toString());
  }
}
