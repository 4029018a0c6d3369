/**
 * The Results panel's page: an HTML shell holding the report's sections, the panel's bundled
 * script and its theme stylesheet, both loaded from the extension's folder, under a strict
 * Content-Security-Policy (nothing from the network, no eval, no inline handlers; only the
 * nonce-marked script and style run).
 */
import { randomBytes } from 'node:crypto';
import { escapeHtml, pageHead, REPORT_STYLE, reportSectionsHtml } from '../core/analysis/reportHtml';

/** A fresh nonce: 128 random bits, base64 without padding. */
export function makeNonce(): string {
  return randomBytes(16).toString('base64').replace(/=+$/, '');
}

/**
 * The policy: `cspSource` is the webview's own origin (the extension's local resources: the
 * stylesheet, fonts, images); scripts only with the nonce.
 */
export function contentSecurityPolicy(nonce: string, cspSource: string): string {
  return `default-src 'none'; img-src ${cspSource} data:; style-src ${cspSource} 'nonce-${nonce}'; script-src 'nonce-${nonce}'; font-src ${cspSource};`;
}

export interface PanelPage {
  nonce: string;
  /** The webview's origin for the policy (webview.cspSource). */
  cspSource: string;
  /** webview.asWebviewUri of out/webview/panel.js and media/panel.css. */
  scriptUri: string;
  styleUri: string;
  /** The space file the panel shows (a URI string), kept in the panel's state for a reload. */
  file: string;
  /** The panel's title before the analysis arrives. */
  title: string;
}

/** The shell of the Results panel: the script draws the analysis the host posts to it. */
export function panelHtml(p: PanelPage): string {
  const head = pageHead({
    policy: contentSecurityPolicy(p.nonce, p.cspSource),
    title: p.title,
    nonce: p.nonce,
    style: REPORT_STYLE,
    extra: `<link rel="stylesheet" href="${escapeHtml(p.styleUri)}">`,
  });
  return `${head}
<body data-file="${escapeHtml(p.file)}">
<h1 id="title">${escapeHtml(p.title)}</h1>
<p class="muted" id="progress">Analyzing the sweep…</p>
<p id="sweep-state" class="sweep-state" data-phase="idle"></p>
<p id="panel-error" class="panel-error" role="alert" hidden></p>
<ul class="sequential" id="sequential" hidden></ul>
<h2>Findings</h2>
<ul class="findings" id="findings"></ul>
<table id="summary"></table>
<p class="muted caption" id="summary-note"></p>
${reportSectionsHtml()}
<script nonce="${p.nonce}" src="${escapeHtml(p.scriptUri)}"></script>
</body>
</html>
`;
}
