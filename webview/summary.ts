/** The Results panel's text parts: title, progress, running header, findings and the spaces' summary table. */
import type { SweepRunState } from '../src/core/analysis/panelProtocol';
import { sweepStateText } from '../src/core/presentation/runState';
import { summaryNote } from '../src/core/analysis/reportHtml';
import { SUMMARY_COLUMNS, summaryCells } from '../src/core/analysis/summaryTable';
import { describeRound, summarizeSequential } from '../src/core/analysis/sequential';
import type { PanelAnalysis } from '../src/core/analysis/panelData';
import { byId, el } from './dom';
import { count, groupThousands } from '../src/core/presentation/counts';

/** Writes the analysis's title, progress line, findings and summary table into the panel. */
export function showSummary(a: PanelAnalysis): void {
  byId('title').textContent = `Design space analysis: ${a.name}`;
  const progress = byId('progress');
  progress.replaceChildren(el('span', { class: 'mono' }, a.dir), `: ${groupThousands(a.progress.recorded)} of ${count(a.progress.planned, 'trial')} recorded`);
  const sequential = byId('sequential');
  sequential.hidden = a.sequential === null;
  sequential.replaceChildren(...(a.sequential ? describeRound(summarizeSequential(a.sequential)).map((l) => el('li', {}, l.trim())) : []));
  byId('findings').replaceChildren(...a.findings.map((f) => el('li', {}, f)));
  const table = byId<HTMLTableElement>('summary');
  const head = el('tr');
  head.append(...SUMMARY_COLUMNS.map((c) => el('th', {}, c)));
  const thead = el('thead');
  thead.append(head);
  const body = el('tbody');
  for (const s of a.spaces) {
    const tr = el('tr');
    tr.append(...summaryCells(s).map((c) => el('td', {}, c)));
    body.append(tr);
  }
  table.replaceChildren(thead, body);
  byId('summary-note').textContent = summaryNote(a);
}

/** Shows where the sweep stands in the running header. */
export function showSweepState(s: SweepRunState): void {
  const header = byId('sweep-state');
  header.textContent = sweepStateText(s);
  header.dataset.phase = s.phase;
  header.dataset.done = String(s.done);
  header.dataset.total = String(s.total);
}

/** Shows an error of the host (the analysis failed) until the next analysis arrives. */
export function showError(message: string | null): void {
  const box = byId('panel-error');
  box.textContent = message ?? '';
  box.hidden = message === null;
}
