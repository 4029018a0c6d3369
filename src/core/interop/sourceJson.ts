/**
 * Reading the JSON files other tools write, as Python writes them: `json.dump` writes a NaN loss
 * as a bare NaN (and infinities as Infinity), which JSON.parse refuses; they are read as null.
 */

/** A source file that cannot be imported; the message says what and where (the entry's index). */
export class ImportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImportError';
  }
}

/** The text with NaN, Infinity and -Infinity outside strings replaced by null. */
function withoutPythonSpecials(text: string): string {
  let out = '';
  let last = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') {
      inString = true;
      continue;
    }
    for (const token of ['NaN', '-Infinity', 'Infinity']) {
      if (text.startsWith(token, i)) {
        out += text.slice(last, i) + 'null';
        i += token.length - 1;
        last = i + 1;
        break;
      }
    }
  }
  return out + text.slice(last);
}

/** Parses JSON as Python's json module writes it; throws an ImportError naming `file` when it is not JSON. */
export function parsePythonJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    if (/NaN|Infinity/.test(text)) {
      try {
        return JSON.parse(withoutPythonSpecials(text));
      } catch {
        // Not JSON either way: report the first error.
      }
    }
    throw new ImportError(`${file} is not JSON: ${(err as Error).message}`);
  }
}

export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
