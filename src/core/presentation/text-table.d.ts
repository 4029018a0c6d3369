// text-table ships no types; this is the part of its API the tables use.
declare module 'text-table' {
  function textTable(rows: string[][], options?: { align?: ('l' | 'r' | 'c' | '.')[]; hsep?: string }): string;
  export = textTable;
}
