/**
 * A new space file, made from the example: the user's own name and a header that speaks of the
 * new file, not of the example it came from. The spaces, settings and their comments stay, as a
 * starting point that validates and trains as it is.
 */

/** `space.regnet.yaml` → `space`: what `name:` becomes. */
export function experimentName(fileName: string): string {
  const base = fileName.replace(/^.*[\\/]/, '');
  return base.replace(/(\.regnet)?\.ya?ml$/i, '') || 'space';
}

/** The example's text as a new file called `fileName` (or an untitled one when undefined). */
export function spaceFileTemplate(example: string, fileName: string | undefined): string {
  const name = fileName === undefined ? 'my-experiment' : experimentName(fileName);
  const shown = fileName ?? 'this file';
  const body = example.replace(/^(#[^\n]*\n)+/, '');
  const header = [
    '# Design spaces to compare, as in "Designing Network Design Spaces": start from these three',
    '# (AnyNetX_A, AnyNetX_E with the paper\'s restrictions, RegNetX) and change them. Hover a key',
    `# for what it means. From a terminal: \`dslab validate ${shown}\`, \`dslab sample ${shown}\`,`,
    `# \`dslab sweep ${shown}\`; in the editor, the lenses above each space.`,
  ].join('\n');
  return `${header}\n${body.replace(/^name: .*$/m, `name: ${name}`)}`;
}
