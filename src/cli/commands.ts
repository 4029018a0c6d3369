/** The list of `dslab` subcommands, in the order `dslab --help` shows them. */
import { analyzeCommand } from './analyze';
import { cancelCommand } from './cancel';
import type { Command } from './command';
import { cxCommand } from './cx';
import { exportCommand } from './export';
import { fitCommand } from './fit';
import { importCommand } from './import';
import { sampleCommand } from './sample';
import { statusCommand } from './status';
import { sweepCommand } from './sweep';
import { trialCommand } from './trial';
import { validateCommand } from './validate';

export const COMMANDS: Command[] = [validateCommand, cxCommand, sampleCommand, fitCommand, sweepCommand, trialCommand, statusCommand, cancelCommand, analyzeCommand, exportCommand, importCommand];
