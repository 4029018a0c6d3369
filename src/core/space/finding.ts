/** A problem as the checks find it: about a path in the document, before it has a source range. */
import type { Severity } from './diagnostic';
import type { Path, Target } from './yamlPositions';

export interface Finding {
  severity: Severity;
  /** Stable machine-readable kind (see Diagnostic.code). */
  code: string;
  message: string;
  path: Path;
  /** Whether the range is the key at `path` or its value. */
  target: Target;
}

export function error(code: string, message: string, path: Path, target: Finding['target'] = 'value'): Finding {
  return { severity: 'error', code, message, path, target };
}

export function warning(code: string, message: string, path: Path, target: Finding['target'] = 'value'): Finding {
  return { severity: 'warning', code, message, path, target };
}
