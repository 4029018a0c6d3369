/** `dslab`: the command-line face of Design Space Lab. Thin: parsing, printing, exit codes. */
import { errorDocument, EXIT_OK, EXIT_USAGE, EXIT_USER_ERROR, printJson, SpaceFileError, UsageError, UserError, type Command, type Io } from './command';
import { COMMANDS } from './commands';
import { escapeControlChars } from '../core/terminalText';

import { version as VERSION } from '../../package.json';

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  const lines = COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return [
    'Usage: dslab <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    'Every command takes --help, and --json to print exactly one JSON document on stdout.',
    'Exit status: 0 success, 1 an error in the input, 2 bad usage.',
    '',
  ].join('\n');
}

export async function main(argv: string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? io.stderr : io.stdout)(usage());
    return name === undefined ? EXIT_USAGE : EXIT_OK;
  }
  if (name === '--version' || name === '-V') {
    io.stdout(`${VERSION}\n`);
    return EXIT_OK;
  }
  const command: Command | undefined = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.stderr(`dslab: unknown command '${name}'\n\n${usage()}`);
    return EXIT_USAGE;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(command.help.endsWith('\n') ? command.help : command.help + '\n');
    return EXIT_OK;
  }
  // With --json, stdout carries exactly one document, an error document when the command fails.
  const json = rest.includes('--json');
  let wroteStdout = false;
  const tracked: Io = { ...io, stdout: (t) => ((wroteStdout = true), io.stdout(t)) };
  const failed = (code: number, message: string, location?: SpaceFileError['location']): number => {
    if (json && !wroteStdout) printJson(io, errorDocument(message, location));
    return code;
  };
  try {
    const code = await command.run(rest, tracked);
    return code === EXIT_OK ? code : failed(code, `dslab ${command.name} failed (exit status ${code}); see stderr`);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`dslab ${command.name}: ${err.message}\nRun 'dslab ${command.name} --help' for usage.\n`);
      return failed(EXIT_USAGE, err.message);
    }
    if (err instanceof SpaceFileError) return failed(EXIT_USER_ERROR, err.message, err.location);
    if (err instanceof UserError) {
      io.stderr(`dslab ${command.name}: error: ${err.message}\n`);
      return failed(err.exitCode, err.message);
    }
    throw err;
  }
}

/** Entry point of bin/dslab. Control characters from user files never reach the terminal raw. */
export function runCli(): void {
  const io: Io = {
    stdout: (t) => process.stdout.write(escapeControlChars(t)),
    stderr: (t) => process.stderr.write(escapeControlChars(t)),
    interactive: Boolean(process.stderr.isTTY),
  };
  main(process.argv.slice(2), io).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      process.stderr.write(escapeControlChars(`dslab: internal error: ${(err as Error).stack ?? err}\n`));
      if (process.argv.includes('--json')) io.stdout(JSON.stringify(errorDocument(`internal error: ${(err as Error).message ?? err}`), null, 2) + '\n');
      process.exitCode = 70;
    },
  );
}
