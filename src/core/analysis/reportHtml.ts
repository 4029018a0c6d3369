/**
 * The HTML report of an analysis: one self-contained file (styles, data and the chart code
 * inlined; no network). The page's text parts (findings, summary table) are plain HTML so they
 * read without scripts; the charts are drawn in the browser by the bundle from `webview/`, from
 * the analysis JSON embedded in the page. Colours are CSS variables (`--dslab-*`) so a VS Code
 * webview can map them to its theme.
 */
import { formatSpaceSize } from '../spaceSize';
import type { SpaceAnalysis, SweepAnalysis } from './sweepAnalysis';

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

const STYLE = `
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
#trials th { cursor: pointer; } #trials th[aria-sort="ascending"]::after { content: " ▲"; } #trials th[aria-sort="descending"]::after { content: " ▼"; }
#trials tbody tr { cursor: pointer; } #trials tbody tr:hover { background: var(--dslab-grid); } #trials tbody tr.selected { background: var(--dslab-row-selected); }
.table-wrap { max-height: 28rem; overflow: auto; border: 1px solid var(--dslab-border); } .table-wrap thead th { position: sticky; top: 0; background: var(--dslab-bg); }
.chart { position: relative; height: 340px; } .chart.small { height: 260px; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(360px, 1fr)); gap: 1rem; }
.controls { margin: 0.5rem 0; display: flex; gap: 0.5rem; align-items: center; flex-wrap: wrap; }
button, select { font: inherit; color: var(--dslab-fg); background: var(--dslab-bg); border: 1px solid var(--dslab-border); border-radius: 4px; padding: 0.2rem 0.6rem; }
button[aria-pressed="true"] { border-color: var(--dslab-accent); color: var(--dslab-accent); }
.caption { font-size: 0.9rem; } ul.findings li { margin: 0.2rem 0; }
.status-failed, .status-diverged { color: var(--dslab-series-2); }
`;

/** 2000000 → 2.00M: counts as the rest of the report shows them. */
function compact(x: number): string {
  for (const [f, u] of [[1e9, 'G'], [1e6, 'M'], [1e3, 'k']] as const) if (Math.abs(x) >= f) return `${(x / f).toFixed(2)}${u}`;
  return String(x);
}

function cell(x: number | null | undefined, digits = 2): string {
  return x === null || x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(digits);
}

function summaryRow(s: SpaceAnalysis): string {
  const cells = [
    escapeHtml(s.name),
    s.type,
    String(s.n),
    String(s.failed),
    String(s.diverged),
    String(s.missing),
    cell(s.min),
    cell(s.mean),
    cell(s.median),
    cell(s.area, 3),
    cell(s.normalized?.median),
    cell(s.normalized?.area ?? null, 3),
    formatSpaceSize(s.size),
  ];
  return `<tr>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`;
}

/** The complete report page for `analysis`, with `bundle` (the built browser code) inlined. */
export function renderReportHtml(analysis: SweepAnalysis, bundle: string): string {
  const { settings, progress } = analysis;
  const title = `Design space analysis: ${analysis.name}`;
  const eps = settings.epsilon === null ? 'no ok trial' : `ε = ${settings.epsilon.toFixed(2)}%, the largest ok error`;
  const range =
    settings.range === null
      ? `no ${settings.complexity} range to normalize over`
      : `${settings.complexity} in (${compact(settings.range[0])}, ${compact(settings.range[1])}), ${settings.bins} bins (${settings.rangeSource === 'constraint' ? 'the sweep constraint' : 'min to max over the trials'})`;
  const safeBundle = bundle.replace(/<\/(script)/gi, '<\\/$1');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<p class="muted"><span class="mono">${escapeHtml(analysis.dir)}</span>: ${progress.recorded} of ${progress.planned} trials recorded</p>
<h2>Findings</h2>
<ul class="findings">${analysis.findings.map((f) => `<li>${escapeHtml(f)}</li>`).join('')}</ul>
<table id="summary">
<thead><tr><th>space</th><th>type</th><th>n</th><th>failed</th><th>diverged</th><th>missing</th><th>min</th><th>mean</th><th>median</th><th>area</th><th>median*</th><th>area*</th><th>size</th></tr></thead>
<tbody>${analysis.spaces.map(summaryRow).join('')}</tbody>
</table>
<p class="muted caption">Errors in %. Area: EDF area up to ${escapeHtml(eps)}. * normalized: ${escapeHtml(range)}.</p>
<h2>Error EDFs</h2>
<div class="controls" id="edf-mode"><button type="button" data-mode="plain" aria-pressed="true">plain</button><button type="button" data-mode="normalized" aria-pressed="false">${escapeHtml(settings.complexity)}-normalized</button></div>
<div class="chart"><canvas id="edf-chart"></canvas></div>
<h2>Error vs model properties</h2>
<div class="controls"><label for="metric-select">property</label><select id="metric-select"></select><span class="muted caption">shaded: bootstrap 95% best range; line: its median</span></div>
<div class="grid" id="scatter-grid"></div>
<h2>Block widths</h2>
<div class="controls"><label for="model-select">model</label><select id="model-select"></select></div>
<div class="chart"><canvas id="width-chart"></canvas></div>
<p class="caption" id="width-caption"></p>
<h2>Training curves of the best and worst trials</h2>
<div class="chart"><canvas id="curve-chart"></canvas></div>
<h2>Random search efficiency</h2>
<div class="chart small"><canvas id="search-chart"></canvas></div>
<h2>Trials</h2>
<p class="muted caption">Click a column to sort, a row to show its widths above.</p>
<div class="table-wrap"><table id="trials"></table></div>
<script type="application/json" id="${REPORT_DATA_ID}">${scriptSafeJson(analysis)}</script>
<script>${safeBundle}</script>
</body>
</html>
`;
}
