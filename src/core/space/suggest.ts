/** "Did you mean …?" for misspelled keys, enum values and names. */

/** Optimal-string-alignment distance: Levenshtein plus adjacent transpositions (widht → width is 1). */
export function editDistance(a: string, b: string): number {
  // Three rolling rows: the one before the previous is needed for transpositions.
  let prev2 = new Int32Array(b.length + 1);
  let prev = Int32Array.from({ length: b.length + 1 }, (_, j) => j);
  let row = new Int32Array(b.length + 1);
  for (let i = 1; i <= a.length; i++) {
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prev2[j - 2] + 1);
      row[j] = d;
    }
    [prev2, prev, row] = [prev, row, prev2];
  }
  return prev[b.length];
}

/**
 * The candidate closest to `word` (ignoring case), if it is close enough to be a likely typo:
 * at most a third of the word's length in edits (at least one; none for words under three letters).
 */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  if (word.length > 100) return undefined;
  const w = word.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  // A third of the word in edits, at least one; a word of one or two letters only up to case.
  const limit = word.length < 3 ? 0 : Math.max(1, Math.floor(word.length / 3));
  for (const c of candidates) {
    if (Math.abs(c.length - w.length) > limit) continue; // cannot be within the limit
    const distance = editDistance(w, c.toLowerCase());
    if (distance < bestDistance) {
      best = c;
      bestDistance = distance;
    }
  }
  return bestDistance <= limit ? best : undefined;
}
