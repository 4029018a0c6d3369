/**
 * Which documents are space files: `*.regnet.yaml`, or any YAML whose top level has both
 * `version` and `spaces` keys. Decided from the text's column-0 keys, without parsing, because
 * it runs on every YAML document the editor opens.
 */

const TOP_LEVEL_KEY = /^(["']?)(version|spaces)\1\s*:/gm;

/** True for `*.regnet.yaml` / `*.regnet.yml`. */
export function hasSpaceFileName(fileName: string): boolean {
  return /\.regnet\.ya?ml$/i.test(fileName);
}

/** True when the file is named like a space file or its top level has `version:` and `spaces:`. */
export function isSpaceFile(fileName: string, text: string): boolean {
  if (hasSpaceFileName(fileName)) return true;
  const seen = new Set<string>();
  for (const m of text.matchAll(TOP_LEVEL_KEY)) seen.add(m[2]);
  return seen.size === 2;
}
