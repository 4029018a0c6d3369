/**
 * The HTML report of an analysis: one self-contained file (styles, data and the chart code
 * inlined; no network). The page's text parts (findings, summary table) are plain HTML so they
 * read without scripts; the charts are drawn in the browser by the bundle from `webview/`, from
 * the analysis JSON embedded in the page. The chart sections (reportSectionsHtml) and the
 * layout style are shared with the Results panel, which draws the same views from the same code.
 * Colours are CSS variables (`--dslab-*`) so a VS Code webview can map them to its theme.
 */
import { compactCount } from './format';
import { describeRound, summarizeSequential } from './sequential';
import type { SpaceAnalysis, SweepAnalysis } from './sweepAnalysis';
import { SUMMARY_COLUMNS, summaryCells } from './summaryTable';
import { count, groupThousands } from '../presentation/counts';

/** Element id of the embedded analysis JSON the browser code reads. */
export const REPORT_DATA_ID = 'dslab-data';

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/** JSON that can sit inside a <script> element: no "<" can close it early. */
export function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** The layout and default colours (light and dark) of the report and the Results panel. */
export const REPORT_STYLE = `
:root {
  --dslab-bg: #ffffff; --dslab-fg: #1f2328; --dslab-muted: #656d76; --dslab-grid: rgba(127,127,127,0.2);
  --dslab-border: #d0d7de; --dslab-accent: #0969da; --dslab-band: rgba(9,105,218,0.12); --dslab-row-selected: rgba(9,105,218,0.15);
  --dslab-series-1: #0969da; --dslab-series-2: #cf222e; --dslab-series-3: #1a7f37; --dslab-series-4: #8250df;
  --dslab-series-5: #bc4c00; --dslab-series-6: #0598bc; --dslab-series-7: #bf3989; --dslab-series-8: #6e7781;
  --dslab-font: system-ui, -apple-system, "Segoe UI", sans-serif; --dslab-mono: ui-monospace, SFMono-Regular, Menlo, monospace;
}
@media (prefers-color-scheme: dark) {
  :root {
    --dslab-bg: #0d1117; --dslab-fg: #e6edf3; --dslab-muted: #8d96a0; --dslab-border: #30363d; --dslab-accent: #4493f8;
    --dslab-band: rgba(68,147,248,0.18); --dslab-row-selected: rgba(68,147,248,0.25);
    --dslab-series-1: #4493f8; --dslab-series-2: #f85149; --dslab-series-3: #3fb950; --dslab-series-4: #ab7df8;
    --dslab-series-5: #db6d28; --dslab-series-6: #39c5cf; --dslab-series-7: #db61a2; --dslab-series-8: #9198a1;
  }
}
body { background: var(--dslab-bg); color: var(--dslab-fg); font-family: var(--dslab-font); margin: 0 auto; max-width: 1200px; padding: 1rem 1.5rem 3rem; }
h1 { font-size: 1.5rem; margin-bottom: 0.2rem; } h2 { font-size: 1.15rem; margin-top: 2rem; border-bottom: 1px solid var(--dslab-border); padding-bottom: 0.3rem; }
.muted { color: var(--dslab-muted); } .mono { font-family: var(--dslab-mono); }
table { border-collapse: collapse; font-size: 0.85rem; } th, td { padding: 0.25rem 0.6rem; border-bottom: 1px solid var(--dslab-border); text-align: right; white-space: nowrap; }
th:first-child, td:first-child { text-align: left; } th { cursor: default; user-select: none; }
#trials th button.sort { all: unset; cursor: pointer; display: block; width: 100%; text-align: inherit; } #trials th[aria-sort="ascending"] button.sort::after { content: " ▲"; } #trials th[aria-sort="descending"] button.sort::after { content: " ▼"; }
#trials tbody tr { cursor: pointer; } #trials tbody tr:hover { background: var(--dslab-grid); } #trials tbody tr.selected { background: var(--dslab-row-selected); }
#trials tbody tr.spacer { cursor: default; } #trials tbody tr.spacer:hover { background: none; } #trials tr.spacer td { padding: 0; border: 0; }
.table-wrap { max-height: 28rem; overflow: auto; border: 1px solid var(--dslab-border); } .table-wrap thead th { position: sticky; top: 0; background: var(--dslab-bg); }
.chart { position: relative; height: 340px; } .chart.small { height: 260px; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(360px, 1fr)); gap: 1rem; }
.controls { margin: 0.5rem 0; display: flex; gap: 0.5rem; align-items: center; flex-wrap: wrap; }
button, select { font: inherit; color: var(--dslab-fg); background: var(--dslab-bg); border: 1px solid var(--dslab-border); border-radius: 4px; padding: 0.2rem 0.6rem; }
vscode-single-select { width: 22rem; } vscode-single-select#metric-select, vscode-single-select#split-select { width: 10rem; }
.caption { font-size: 0.9rem; } ul.findings li { margin: 0.2rem 0; }
ul.sequential { list-style: none; padding-left: 0; } ul.sequential li + li { padding-left: 1.5rem; font-size: 0.9rem; }
.status-failed, .status-diverged { color: var(--dslab-series-2); }
#summary th { white-space: normal; vertical-align: bottom; }
@media (max-width: 760px) { body { padding-left: 0.8rem; padding-right: 0.8rem; } #summary { font-size: 0.75rem; display: block; overflow-x: auto; } #summary th, #summary td { padding: 0.15rem 0.25rem; } #summary th:nth-child(2), #summary td:nth-child(2) { display: none; } }
:focus-visible, #trials th button.sort:focus-visible { outline: 2px solid var(--dslab-focus, var(--dslab-accent)); outline-offset: -2px; }
`;

/**
 * The static page's colours for the @vscode-elements controls, which read VS Code's variables
 * (the Results panel gets those from the editor's theme).
 */
const STATIC_CONTROLS_STYLE = `
:root {
  --vscode-foreground: var(--dslab-fg); --vscode-font-family: var(--dslab-font);
  --vscode-settings-dropdownBackground: var(--dslab-bg); --vscode-settings-dropdownForeground: var(--dslab-fg);
  --vscode-settings-dropdownBorder: var(--dslab-border); --vscode-settings-dropdownListBorder: var(--dslab-border);
  --vscode-settings-checkboxBackground: var(--dslab-bg); --vscode-settings-checkboxForeground: var(--dslab-fg);
  --vscode-settings-checkboxBorder: var(--dslab-border); --vscode-focusBorder: var(--dslab-accent);
  --vscode-list-activeSelectionBackground: var(--dslab-accent); --vscode-list-activeSelectionForeground: #ffffff;
  --vscode-list-hoverBackground: var(--dslab-row-selected); --vscode-list-hoverForeground: var(--dslab-fg);
  --vscode-list-focusOutline: var(--dslab-accent);
}
`;

function summaryRow(s: SpaceAnalysis): string {
  return `<tr>${summaryCells(s).map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`;
}

/** The summary table's caption: what ε and the normalization range are. */
export function summaryNote(analysis: Pick<SweepAnalysis, 'settings'>): string {
  const { settings } = analysis;
  const eps = settings.epsilon === null ? 'no ok trial' : `ε = ${settings.epsilon.toFixed(2)}%, the largest ok error`;
  const range =
    settings.range === null
      ? `no ${settings.complexity} range to normalize over`
      : `${settings.complexity} in (${compactCount(settings.range[0])}, ${compactCount(settings.range[1])}), ${settings.bins} bins (${settings.rangeSource === 'constraint' ? 'the sweep constraint' : 'min to max over the trials'})`;
  return `Errors in %. Area: EDF area up to ${eps}. * normalized: ${range}.`;
}

/**
 * The chart sections with their controls (ids the browser code draws into), from the EDFs to
 * the trials table: the same markup in the static report and in the Results panel.
 */
export function reportSectionsHtml(): string {
  return `<h2>Error EDFs</h2>
<div class="controls"><vscode-checkbox id="edf-normalized" label="normalized"></vscode-checkbox><vscode-checkbox id="edf-band" label="confidence bands"></vscode-checkbox><span class="muted caption" id="edf-band-caption"></span></div>
<div class="chart"><canvas id="edf-chart" tabindex="0" role="img" aria-label="Error EDFs of the spaces: the fraction of models with error below each value. The trials table lists every value."></canvas></div>
<h2>Error vs model properties</h2>
<div class="controls"><label for="metric-select">property</label><vscode-single-select id="metric-select"></vscode-single-select><span class="muted caption">shaded: bootstrap 95% best range; line: its median</span></div>
<div class="grid" id="scatter-grid"></div>
<h2>Error EDFs by property</h2>
<div class="controls"><label for="split-select">split by</label><vscode-single-select id="split-select"></vscode-single-select><span class="muted caption">one EDF per value (per quantile bin when there are many), pooled over the spaces that have it</span></div>
<div class="chart" id="split-box"><canvas id="split-chart" tabindex="0" role="img" aria-label="Error EDFs by the chosen property, one per value. The findings below say which differ."></canvas></div>
<ul class="findings" id="split-findings"></ul>
<h2>Trends across complexity</h2>
<p class="muted caption" id="trend-caption"></p>
<div class="chart"><canvas id="trend-chart" tabindex="0" role="img" aria-label="Best ranges of the model parameters in each complexity bin. The table below lists them."></canvas></div>
<div class="table-wrap"><table id="trend-groups"></table></div>
<h2>Block widths</h2>
<div class="controls"><label for="model-select">model</label><vscode-single-select id="model-select" combobox></vscode-single-select><span class="muted caption" id="model-caption"></span></div>
<div class="chart"><canvas id="width-chart" tabindex="0" role="img" aria-label="Block widths of the chosen model with its quantized linear fit. The caption below gives the fit."></canvas></div>
<p class="caption" id="width-caption"></p>
<h2>Training curves of the best and worst trials</h2>
<p class="muted caption" id="curve-caption"></p>
<div class="chart"><canvas id="curve-chart" tabindex="0" role="img" aria-label="Training curves (test error by epoch) of the best and the worst trials."></canvas></div>
<h2>Random search efficiency</h2>
<p class="muted caption" id="search-caption"></p>
<div class="chart small"><canvas id="search-chart" tabindex="0" role="img" aria-label="Random search efficiency: the expected best error of n random trials."></canvas></div>
<h2>Trials</h2>
<p class="muted caption">Click a column to sort, a row (or a point in any chart) to select its trial everywhere.</p>
<div class="table-wrap"><table id="trials"></table></div>`;
}

/**
 * The report's Content Security Policy, as strict as the Results panel's: nothing from the
 * network, and only its own inline style and script (those carrying `nonce`) may apply or run.
 */
export function reportContentSecurityPolicy(nonce: string): string {
  return `default-src 'none'; img-src data:; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}';`;
}

/** What a page's head holds. */
export interface PageHead {
  /** The Content-Security-Policy. */
  policy: string;
  title: string;
  /** The nonce the policy names, which the inline `style` carries. */
  nonce: string;
  style: string;
  /** Markup after the style (already escaped). */
  extra?: string;
}

/** A page's doctype and head: the report and the Results panel start alike. */
export function pageHead(h: PageHead): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${h.policy}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(h.title)}</title>
<style nonce="${h.nonce}">${h.style}</style>
${h.extra === undefined ? '' : `${h.extra}\n`}</head>`;
}

/**
 * The complete report page for `analysis`, with `bundle` (the built browser code) inlined.
 * `nonce`: a fresh random value per page (base64 or hex), which the page's CSP names.
 */
export function renderReportHtml(analysis: SweepAnalysis, bundle: string, nonce: string): string {
  if (!/^[A-Za-z0-9+/=]{16,}$/.test(nonce)) throw new RangeError('the nonce must be at least 16 base64 characters');
  const { progress } = analysis;
  const title = `Design space analysis: ${analysis.name}`;
  const safeBundle = bundle.replace(/<\/(script)/gi, '<\\/$1');
  return `${pageHead({ policy: reportContentSecurityPolicy(nonce), title, nonce, style: REPORT_STYLE + STATIC_CONTROLS_STYLE })}
<body>
<h1>${escapeHtml(title)}</h1>
<p class="muted"><span class="mono">${escapeHtml(analysis.dir)}</span>: ${groupThousands(progress.recorded)} of ${count(progress.planned, 'trial')} recorded</p>
${analysis.sequential ? `<ul class="sequential" id="sequential">${describeRound(summarizeSequential(analysis.sequential)).map((l) => `<li>${escapeHtml(l.trim())}</li>`).join('')}</ul>` : ''}
<h2>Findings</h2>
<ul class="findings">${analysis.findings.map((f) => `<li>${escapeHtml(f)}</li>`).join('')}</ul>
<table id="summary">
<thead><tr>${SUMMARY_COLUMNS.map((c) => `<th>${c}</th>`).join('')}</tr></thead>
<tbody>${analysis.spaces.map(summaryRow).join('')}</tbody>
</table>
<p class="muted caption">${escapeHtml(summaryNote(analysis))}</p>
${reportSectionsHtml()}
<script type="application/json" id="${REPORT_DATA_ID}">${scriptSafeJson(analysis)}</script>
<script nonce="${nonce}">${safeBundle}</script>
</body>
</html>
`;
}
