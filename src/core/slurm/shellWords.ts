/** Words and command lines as a POSIX shell reads them back: what a batch script runs, and the commands we tell a user to type. */

/** A word as the shell reads it back unchanged: in single quotes unless it needs none. */
export function shellQuote(word: string): string {
  return /^[\w./=:@%+,-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Arguments as one command line. */
export function commandLine(args: readonly string[]): string {
  return args.map(shellQuote).join(' ');
}
