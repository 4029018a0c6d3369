/**
 * A problem found in a space file, with the exact source range it is about.
 * Positions are zero-based (line and character, as LSP and VS Code count them); the CLI prints
 * them one-based as FILE:LINE:COL.
 */
export interface Position {
  line: number;
  character: number;
}

export interface SourceRange {
  start: Position;
  end: Position;
}

export type Severity = 'error' | 'warning';

export interface Diagnostic {
  severity: Severity;
  /** Stable machine-readable kind, e.g. 'yaml-syntax', 'unknown-key', 'type', 'range-order'. */
  code: string;
  /** What is wrong and, where it helps, what would be right. One sentence, no trailing period. */
  message: string;
  range: SourceRange;
  /** JSON-pointer-like path of the offending node ('' for the document), e.g. /spaces/RegNetX/w0/0. */
  path: string;
  /** A replacement for the text at `range` that fixes the problem, when there is an obvious one. */
  fix?: { title: string; text: string };
}
