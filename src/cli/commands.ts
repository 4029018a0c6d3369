/** The list of `dslab` subcommands, in the order `dslab --help` shows them. */
import type { Command } from './command';

export const COMMANDS: Command[] = [];
