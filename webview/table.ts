/**
 * The trials table: sortable by any column (the order survives updates); a click selects a trial,
 * a double click opens it. By keyboard: Tab reaches the column buttons and one row (a roving
 * tabindex); the arrows, Home and End move between rows, Enter or Space selects, Shift+Enter opens.
 */
import { trialKey } from '../src/core/analysis/panelState';
import type { TrialSummary } from '../src/core/analysis/sweepAnalysis';
import { el } from './dom';
import { compactCount, fixed } from './format';

interface Column {
  name: string;
  value: (t: TrialSummary) => number | string | null;
  text?: (t: TrialSummary) => string;
}

const COLUMNS: Column[] = [
  { name: 'space', value: (t) => t.space },
  { name: '#', value: (t) => t.index },
  { name: 'status', value: (t) => t.status },
  { name: 'error', value: (t) => t.error, text: (t) => fixed(t.error) },
  { name: 'flops', value: (t) => t.flops, text: (t) => compactCount(t.flops) },
  { name: 'params', value: (t) => t.params, text: (t) => compactCount(t.params) },
  { name: 'acts', value: (t) => t.acts, text: (t) => compactCount(t.acts) },
  { name: 'depth', value: (t) => t.metrics.depth ?? null },
  { name: 'e_fit', value: (t) => t.line?.efit ?? null, text: (t) => fixed(t.line?.efit, 3) },
  { name: 'epochs', value: (t) => t.epochs.length },
  { name: 'seconds', value: (t) => t.wallSeconds, text: (t) => t.wallSeconds.toFixed(0) },
  { name: 'note', value: (t) => t.note ?? '' },
];

export class TrialTable {
  private sortBy = 3;
  private ascending = true;
  private trials: TrialSummary[] = [];
  private selected: string | null = null;
  private readonly body = el('tbody');
  private readonly head = el('tr');

  constructor(
    private readonly table: HTMLTableElement,
    private readonly onSelect: (key: string) => void,
    private readonly onOpen?: (key: string) => void,
  ) {
    COLUMNS.forEach((c, i) => {
      const button = el('button', { type: 'button', class: 'sort', title: `Sort by ${c.name}` }, c.name);
      button.addEventListener('click', () => {
        this.ascending = this.sortBy === i ? !this.ascending : true;
        this.sortBy = i;
        this.render();
      });
      const th = el('th', { scope: 'col' });
      th.append(button);
      this.head.append(th);
    });
    table.setAttribute('role', 'grid');
    table.setAttribute('aria-label', 'Trials (arrows move, Enter selects, Shift+Enter opens the record)');
    const thead = el('thead');
    thead.append(this.head);
    table.replaceChildren(thead, this.body);
    // One listener for all rows: rows are re-created on every update.
    this.body.addEventListener('click', (e) => {
      const key = (e.target as HTMLElement).closest('tr')?.dataset.key;
      if (key !== undefined) this.onSelect(key);
    });
    this.body.addEventListener('dblclick', (e) => {
      const key = (e.target as HTMLElement).closest('tr')?.dataset.key;
      if (key !== undefined) this.onOpen?.(key);
    });
    this.body.addEventListener('keydown', (e) => this.key(e));
  }

  private key(e: KeyboardEvent): void {
    const row = (e.target as HTMLElement).closest('tr');
    if (!row) return;
    const rows = Array.from(this.body.rows);
    const at = rows.indexOf(row);
    const page = Math.max(1, Math.floor((this.table.parentElement?.clientHeight ?? 0) / Math.max(1, row.offsetHeight)) - 1);
    const to: Record<string, number> = { ArrowDown: at + 1, ArrowUp: at - 1, Home: 0, End: rows.length - 1, PageDown: at + page, PageUp: at - page };
    if (e.key in to) {
      e.preventDefault();
      this.focusRow(rows[Math.max(0, Math.min(rows.length - 1, to[e.key]))]);
    } else if ((e.key === 'Enter' || e.key === ' ') && row.dataset.key !== undefined) {
      e.preventDefault();
      if (e.key === 'Enter' && e.shiftKey) this.onOpen?.(row.dataset.key);
      else this.onSelect(row.dataset.key);
    }
  }

  /** Makes `row` the one row Tab reaches, and focuses it. */
  private focusRow(row: HTMLTableRowElement | undefined): void {
    if (!row) return;
    for (const tr of Array.from(this.body.rows)) tr.tabIndex = tr === row ? 0 : -1;
    row.focus();
  }

  /** Shows these trials, in the current order, with `selected` marked. */
  show(trials: TrialSummary[], selected: string | null): void {
    this.trials = trials;
    this.selected = selected;
    this.render();
  }

  /** Marks the selected row and scrolls it into the table's view. */
  select(key: string | null): void {
    this.selected = key;
    let row: HTMLTableRowElement | undefined;
    for (const tr of Array.from(this.body.rows)) {
      const on = tr.dataset.key === key;
      tr.classList.toggle('selected', on);
      tr.setAttribute('aria-selected', String(on));
      if (on) row = tr;
    }
    // Tab comes back to the selected row, unless focus is in the table already.
    if (row && !this.body.contains(document.activeElement)) for (const tr of Array.from(this.body.rows)) tr.tabIndex = tr === row ? 0 : -1;
    const wrap = this.table.parentElement;
    if (row && wrap) {
      const top = row.offsetTop - (this.table.tHead?.offsetHeight ?? 0);
      if (top < wrap.scrollTop || row.offsetTop + row.offsetHeight > wrap.scrollTop + wrap.clientHeight) wrap.scrollTop = Math.max(0, top - wrap.clientHeight / 2);
    }
  }

  private render(): void {
    const col = COLUMNS[this.sortBy];
    const rows = this.trials.slice().sort((a, b) => {
      const x = col.value(a);
      const y = col.value(b);
      if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1; // empty cells last either way
      const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
      return this.ascending ? c : -c;
    });
    // Rows are made anew: the focused row (or else the selected one, else the first) keeps the tab stop.
    const focused = this.body.contains(document.activeElement) ? (document.activeElement as HTMLElement).closest('tr')?.dataset.key : undefined;
    const stop = focused ?? (rows.some((t) => trialKey(t) === this.selected) ? this.selected : rows.length > 0 ? trialKey(rows[0]) : null);
    let refocus: HTMLTableRowElement | undefined;
    this.body.replaceChildren(
      ...rows.map((t) => {
        const key = trialKey(t);
        const tr = el('tr', { 'data-key': key, 'aria-selected': String(key === this.selected) });
        tr.tabIndex = key === stop ? 0 : -1;
        if (key === this.selected) tr.classList.add('selected');
        if (key === focused) refocus = tr;
        for (const c of COLUMNS) {
          const td = el('td', {}, c.text ? c.text(t) : String(c.value(t) ?? '–'));
          if (c.name === 'status') td.className = `status-${t.status}`;
          tr.append(td);
        }
        return tr;
      }),
    );
    refocus?.focus();
    Array.from(this.head.children).forEach((th, i) => th.setAttribute('aria-sort', i === this.sortBy ? (this.ascending ? 'ascending' : 'descending') : 'none'));
  }
}
