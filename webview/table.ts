/**
 * The trials table: sortable by any column (the order survives updates); a click selects a trial,
 * a double click opens it. By keyboard: Tab reaches the column buttons and one row (a roving
 * tabindex); the arrows, Home, End and Page Up/Down move between rows, Enter or Space selects,
 * Shift+Enter opens. From VIRTUAL_FROM trials on, only the rows in view (and a few around them)
 * are in the page, between two spacer rows that keep the scroll height of all of them: 25,000
 * rows would take the page seconds to lay out. Moving by keyboard scrolls the target row into
 * view and draws it before focusing it.
 */
import { trialKey } from '../src/core/analysis/panelState';
import type { TrialRow } from '../src/core/analysis/panelData';
import { el } from './dom';
import { compactCount, fixed } from './format';

/** From this many trials on, the table draws only the rows in view. */
export const VIRTUAL_FROM = 500;
/** Rows drawn beyond each edge of the view, so that a short scroll shows drawn rows at once. */
const OVERSCAN = 12;
/** A row's height before one is measured (px). */
const ROW_HEIGHT_GUESS = 22;

interface Column {
  name: string;
  value: (t: TrialRow) => number | string | null;
  text?: (t: TrialRow) => string;
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
  { name: 'e_fit', value: (t) => t.metrics.efit ?? null, text: (t) => fixed(t.metrics.efit, 3) },
  { name: 'epochs', value: (t) => t.epochCount },
  { name: 'seconds', value: (t) => t.wallSeconds, text: (t) => t.wallSeconds.toFixed(0) },
  { name: 'note', value: (t) => t.note ?? '' },
];

export class TrialTable {
  private sortBy = 3;
  private ascending = true;
  private trials: readonly TrialRow[] = [];
  /** The trials in the table's order, and each key's position in it. */
  private rows: TrialRow[] = [];
  private position = new Map<string, number>();
  private selected: string | null = null;
  /** The key of the row Tab reaches. */
  private stop: string | null = null;
  private rowHeight = 0;
  private drawing = false;
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
    this.wrap?.addEventListener('scroll', () => {
      if (!this.virtual || this.drawing) return;
      this.drawing = true;
      requestAnimationFrame(() => {
        this.drawing = false;
        this.drawRows();
      });
    });
  }

  /** The scrolling box around the table. */
  private get wrap(): HTMLElement | null {
    return this.table.parentElement;
  }

  private get virtual(): boolean {
    return this.rows.length >= VIRTUAL_FROM;
  }

  private key(e: KeyboardEvent): void {
    const key = (e.target as HTMLElement).closest('tr')?.dataset.key;
    const at = key === undefined ? undefined : this.position.get(key);
    if (key === undefined || at === undefined) return;
    const height = this.rowHeight || ROW_HEIGHT_GUESS;
    const page = Math.max(1, Math.floor((this.wrap?.clientHeight ?? 0) / height) - 1);
    const to: Record<string, number> = { ArrowDown: at + 1, ArrowUp: at - 1, Home: 0, End: this.rows.length - 1, PageDown: at + page, PageUp: at - page };
    if (e.key in to) {
      e.preventDefault();
      this.focusAt(Math.max(0, Math.min(this.rows.length - 1, to[e.key])));
    } else if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      if (e.key === 'Enter' && e.shiftKey) this.onOpen?.(key);
      else this.onSelect(key);
    }
  }

  /** Makes the row at `i` (in table order) the one Tab reaches, scrolls it into view and focuses it. */
  private focusAt(i: number): void {
    const t = this.rows[i];
    if (!t) return;
    this.stop = trialKey(t);
    if (this.virtual) {
      this.reveal(i);
      this.drawRows();
    }
    const row = this.rowOf(this.stop);
    if (!row) return;
    for (const tr of Array.from(this.body.rows)) if (tr.dataset.key !== undefined) tr.tabIndex = tr === row ? 0 : -1;
    row.focus();
  }

  /** The drawn row of a trial, if it is drawn. */
  private rowOf(key: string | null): HTMLTableRowElement | undefined {
    if (key === null) return undefined;
    return Array.from(this.body.rows).find((tr) => tr.dataset.key === key);
  }

  /** Scrolls the box so that the row at `i` is in view (virtual rows: by position, as it may not be drawn). */
  private reveal(i: number): void {
    const wrap = this.wrap;
    if (!wrap) return;
    const height = this.rowHeight || ROW_HEIGHT_GUESS;
    const header = this.table.tHead?.offsetHeight ?? 0;
    const top = header + i * height;
    if (top - header < wrap.scrollTop) wrap.scrollTop = top - header;
    else if (top + height > wrap.scrollTop + wrap.clientHeight) wrap.scrollTop = top + height - wrap.clientHeight;
  }

  /** Shows these trials, in the current order, with `selected` marked. */
  show(trials: readonly TrialRow[], selected: string | null): void {
    this.trials = trials;
    this.selected = selected;
    this.render();
  }

  /** Marks the selected row and scrolls it into the table's view. */
  select(key: string | null): void {
    this.selected = key;
    const wrap = this.wrap;
    if (this.virtual) {
      // Tab comes back to the selected row, unless focus is in the table already.
      if (key !== null && this.position.has(key) && !this.body.contains(document.activeElement)) this.stop = key;
      const at = key === null ? undefined : this.position.get(key);
      const height = this.rowHeight || ROW_HEIGHT_GUESS;
      if (at !== undefined && wrap) {
        const top = at * height;
        if (top < wrap.scrollTop || top + height > wrap.scrollTop + wrap.clientHeight - (this.table.tHead?.offsetHeight ?? 0)) wrap.scrollTop = Math.max(0, top - wrap.clientHeight / 2);
      }
      this.drawRows();
      return;
    }
    let row: HTMLTableRowElement | undefined;
    for (const tr of Array.from(this.body.rows)) {
      const on = tr.dataset.key === key;
      tr.classList.toggle('selected', on);
      tr.setAttribute('aria-selected', String(on));
      if (on) row = tr;
    }
    // Tab comes back to the selected row, unless focus is in the table already.
    if (row && !this.body.contains(document.activeElement)) {
      this.stop = key;
      for (const tr of Array.from(this.body.rows)) tr.tabIndex = tr === row ? 0 : -1;
    }
    if (row && wrap) {
      const top = row.offsetTop - (this.table.tHead?.offsetHeight ?? 0);
      if (top < wrap.scrollTop || row.offsetTop + row.offsetHeight > wrap.scrollTop + wrap.clientHeight) wrap.scrollTop = Math.max(0, top - wrap.clientHeight / 2);
    }
  }

  private render(): void {
    const col = COLUMNS[this.sortBy];
    this.rows = this.trials.slice().sort((a, b) => {
      const x = col.value(a);
      const y = col.value(b);
      if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1; // empty cells last either way
      const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
      return this.ascending ? c : -c;
    });
    this.position = new Map(this.rows.map((t, i) => [trialKey(t), i]));
    // The focused row (or else the selected one, else the first) keeps the tab stop.
    const focused = this.body.contains(document.activeElement) ? (document.activeElement as HTMLElement).closest('tr')?.dataset.key : undefined;
    this.stop = focused ?? (this.selected !== null && this.position.has(this.selected) ? this.selected : this.rows.length > 0 ? trialKey(this.rows[0]) : null);
    this.table.classList.toggle('virtual', this.virtual);
    if (this.virtual) this.table.setAttribute('aria-rowcount', String(this.rows.length + 1));
    else this.table.removeAttribute('aria-rowcount');
    this.drawRows();
    if (this.virtual && this.rowHeight === 0) {
      // Measured once the first rows are laid out; drawn again if the guess was off.
      const first = this.body.querySelector<HTMLTableRowElement>('tr[data-key]');
      if (first && first.offsetHeight > 0) {
        this.rowHeight = first.offsetHeight;
        if (this.rowHeight !== ROW_HEIGHT_GUESS) this.drawRows();
      }
    }
    Array.from(this.head.children).forEach((th, i) => th.setAttribute('aria-sort', i === this.sortBy ? (this.ascending ? 'ascending' : 'descending') : 'none'));
  }

  /** Draws the rows: all of them, or (virtual) those in view between two spacers. */
  private drawRows(): void {
    let from = 0;
    let to = this.rows.length;
    const height = this.rowHeight || ROW_HEIGHT_GUESS;
    if (this.virtual) {
      const wrap = this.wrap;
      const top = Math.max(0, (wrap?.scrollTop ?? 0) - (this.table.tHead?.offsetHeight ?? 0));
      from = Math.max(0, Math.floor(top / height) - OVERSCAN);
      to = Math.min(this.rows.length, from + Math.ceil((wrap?.clientHeight ?? 0) / height) + 2 * OVERSCAN);
    }
    const focused = this.body.contains(document.activeElement) ? (document.activeElement as HTMLElement).closest('tr')?.dataset.key : undefined;
    const shown = this.rows.slice(from, to);
    // The tab stop stays on a drawn row: the stop, else the first one drawn.
    const stop = shown.some((t) => trialKey(t) === this.stop) ? this.stop : shown.length > 0 ? trialKey(shown[0]) : null;
    let refocus: HTMLTableRowElement | undefined;
    const trs = shown.map((t, k) => {
      const key = trialKey(t);
      const tr = el('tr', { 'data-key': key, 'aria-selected': String(key === this.selected) });
      tr.tabIndex = key === stop ? 0 : -1;
      if (this.virtual) tr.setAttribute('aria-rowindex', String(from + k + 2));
      if (key === this.selected) tr.classList.add('selected');
      if (key === focused) refocus = tr;
      for (const c of COLUMNS) {
        const td = el('td', {}, c.text ? c.text(t) : String(c.value(t) ?? '–'));
        if (c.name === 'status') td.className = `status-${t.status}`;
        tr.append(td);
      }
      return tr;
    });
    const spacer = (rows: number): HTMLTableRowElement => {
      const tr = el('tr', { class: 'spacer', 'aria-hidden': 'true' });
      const td = el('td', { colspan: String(COLUMNS.length) });
      td.style.height = `${rows * height}px`;
      tr.append(td);
      return tr;
    };
    this.body.replaceChildren(...(from > 0 ? [spacer(from)] : []), ...trs, ...(to < this.rows.length ? [spacer(this.rows.length - to)] : []));
    refocus?.focus({ preventScroll: true });
    if (this.virtual) {
      // Columns only widen as other rows come into view, so that scrolling does not make them jump.
      const heads = Array.from(this.head.children) as HTMLElement[];
      const widths = heads.map((th) => Math.max(th.offsetWidth, parseFloat(th.style.minWidth) || 0)); // read all, then write: one layout
      heads.forEach((th, i) => (th.style.minWidth = `${widths[i]}px`));
    }
  }
}
