/**
 * Where the CodeLenses of a space file go and what they say: above `spaces:` for every space,
 * above each space key for that space. Training needs a file without errors and a trusted
 * workspace; sampling only a file without errors.
 */
import type { SourceRange, SpaceFileResult } from '../core/space';
import { errorCount } from './diagnosticData';
import { count } from '../core/presentation/counts';

/** Command ids the lenses run (contributed in package.json). */
export const COMMAND = {
  sampleAndTrain: 'designSpaceLab.sampleAndTrain',
  sample: 'designSpaceLab.sample',
  showResults: 'designSpaceLab.showResults',
  newSpaceFile: 'designSpaceLab.newSpaceFile',
  showProblems: 'workbench.actions.view.problems',
} as const;

export interface LensSpec {
  range: SourceRange;
  title: string;
  tooltip: string;
  command: string;
  /** `[documentUri]` for every space, `[documentUri, space]` for one. */
  args: string[];
}

/**
 * The lenses of a parsed space file; `trusted` is the workspace's trust (no training lens in
 * Restricted Mode), `hasResults` whether its sweep directory exists (a Results lens above `spaces:`).
 */
export function lensesFor(
  result: Pick<SpaceFileResult, 'diagnostics' | 'spaceKeys' | 'spacesKey'>,
  uri: string,
  trusted: boolean,
  hasResults = false,
): LensSpec[] {
  const errors = errorCount(result.diagnostics);
  const lenses: LensSpec[] = [];
  const place = (range: SourceRange, what: string, args: string[]): void => {
    if (errors > 0) {
      if (!trusted) return;
      const problems = count(errors, 'problem');
      lenses.push({ range, title: `⚠ fix ${problems} to train`, tooltip: `The file has ${problems}; open the Problems view`, command: COMMAND.showProblems, args: [] });
      return;
    }
    if (trusted) {
      lenses.push({ range, title: `▶ Sample & Train${what}`, tooltip: `Sample and train ${args.length > 1 ? args[1] : 'every space'} as a task`, command: COMMAND.sampleAndTrain, args });
    }
    lenses.push({ range, title: `Sample${what}`, tooltip: `Show the models sampled from ${args.length > 1 ? args[1] : 'every space'}, with their complexity`, command: COMMAND.sample, args });
  };
  if (result.spacesKey && result.spaceKeys.length > 0) place(result.spacesKey, ' all', [uri]);
  if (result.spacesKey && hasResults) {
    lenses.push({ range: result.spacesKey, title: 'Results', tooltip: 'Show the analysis of the trials trained so far', command: COMMAND.showResults, args: [uri] });
  }
  for (const key of result.spaceKeys) place(key.range, '', [uri, key.name]);
  return lenses;
}
