/** A problem as the checks find it: about a path in the document, before it has a source range. */
import type { Severity } from './diagnostic';
import type { Path, Target } from './yamlPositions';

/** A fix the editor can apply: the text that replaces the finding's range (its key or its value). */
export interface Fix {
  /** What the quick fix says, e.g. "Change to 'swish'". */
  title: string;
  text: string;
}

export interface Finding {
  severity: Severity;
  /** Stable machine-readable kind (see Diagnostic.code). */
  code: string;
  message: string;
  path: Path;
  /** Whether the range is the key at `path` or its value. */
  target: Target;
  fix?: Fix;
}

/** The finding with a fix that replaces its key or value by `text`. */
export function withFix(f: Finding, text: string, title = `Change to '${text}'`): Finding {
  return { ...f, fix: { title, text } };
}

export function error(code: string, message: string, path: Path, target: Finding['target'] = 'value'): Finding {
  return { severity: 'error', code, message, path, target };
}

export function warning(code: string, message: string, path: Path, target: Finding['target'] = 'value'): Finding {
  return { severity: 'warning', code, message, path, target };
}
