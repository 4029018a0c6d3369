/** Plain-text tables for terminals: aligned columns, no borders. */
import textTable from 'text-table';

/**
 * Rows as aligned lines: columns separated by two spaces, the first `leftColumns` padded on the
 * right (text), the others on the left (numbers); trailing blanks trimmed.
 */
export function tableLines(rows: readonly (readonly (string | number)[])[], leftColumns = Infinity): string[] {
  if (rows.length === 0) return [];
  const align = rows[0].map((_, c) => (c < leftColumns ? 'l' : 'r'));
  return textTable(rows.map((r) => r.map(String)), { align }).split('\n');
}

/** `tableLines` joined with newlines. */
export function table(rows: readonly (readonly (string | number)[])[], leftColumns = Infinity): string {
  return tableLines(rows, leftColumns).join('\n');
}
