/** A core diagnostic as the editor shows it: same range, severity as VS Code numbers it, code and source. */
import type { Diagnostic, SourceRange } from '../core/space';

/** The `source` of every diagnostic the extension reports. */
export const DIAGNOSTIC_SOURCE = 'Design Space Lab';

/** vscode.DiagnosticSeverity: Error = 0, Warning = 1. */
export type SeverityNumber = 0 | 1;

export interface EditorDiagnostic {
  range: SourceRange;
  message: string;
  severity: SeverityNumber;
  code: string;
  source: typeof DIAGNOSTIC_SOURCE;
}

/** Maps one diagnostic of parseSpaceText to what the adapter hands to vscode.Diagnostic. */
export function toEditorDiagnostic(d: Diagnostic): EditorDiagnostic {
  return { range: d.range, message: d.message, severity: d.severity === 'error' ? 0 : 1, code: d.code, source: DIAGNOSTIC_SOURCE };
}

/** Number of errors (warnings do not block training). */
export function errorCount(diagnostics: readonly Diagnostic[]): number {
  return diagnostics.filter((d) => d.severity === 'error').length;
}
