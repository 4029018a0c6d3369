/**
 * The Sample lens's work, done off the extension host's thread (sampleWorker.ts runs it): parse
 * the document's text, sample the chosen spaces with their own settings, and write the result
 * as Markdown.
 */
import { sampleSpace } from '../core/sampling/sampler';
import { parseSpaceText } from '../core/space';
import { sampleMarkdown } from './spaceSummary';
import { count } from '../core/presentation/counts';

export interface SampleRequest {
  text: string;
  /** Title of the view, e.g. the file's base name. */
  fileName: string;
  /** One space; every space when absent. */
  space?: string;
}

/** Markdown of the sampled models, or `error` when the file or the space name does not allow sampling. */
export type SampleResponse = { markdown: string } | { error: string };

/** Samples the spaces of a space file's text as `dslab sample` does (same seeds, same models). */
export function runSampleRequest(request: SampleRequest): SampleResponse {
  const parsed = parseSpaceText(request.text);
  if (!parsed.resolved) {
    const errors = parsed.diagnostics.filter((d) => d.severity === 'error').length;
    return { error: `${request.fileName} has ${count(errors, 'problem')}; fix them to sample (see the Problems view)` };
  }
  const spaces = parsed.resolved.spaces.filter((s) => request.space === undefined || s.name === request.space);
  if (spaces.length === 0) return { error: `no space named '${request.space}' in ${request.fileName}` };
  const sections = spaces.map((space) => {
    try {
      return sampleMarkdown(space, sampleSpace(space));
    } catch (err) {
      return `## ${space.name}\n\n${(err as Error).message}`;
    }
  });
  const title = `# Models sampled from ${request.fileName}${request.space === undefined ? '' : `: ${request.space}`}`;
  return { markdown: [title, '', ...sections.flatMap((s) => [s, ''])].join('\n') };
}
