/** Plain-text tables for the commands' human output. */

/**
 * Rows as aligned lines: columns separated by two spaces, the first `leftColumns` padded on the
 * right (text), the others on the left (numbers); trailing blanks trimmed.
 */
export function tableLines(rows: (string | number)[][], leftColumns = Infinity): string[] {
  const cells = rows.map((r) => r.map(String));
  const widths = cells[0].map((_, c) => Math.max(...cells.map((r) => r[c].length)));
  return cells.map((r) => r.map((cell, c) => (c < leftColumns ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ').trimEnd());
}

/** `tableLines` joined with newlines. */
export function table(rows: (string | number)[][], leftColumns = Infinity): string {
  return tableLines(rows, leftColumns).join('\n');
}
