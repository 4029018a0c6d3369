/**
 * The Results panel's page in headless Chromium, outside VS Code: the shell the host renders,
 * the bundled script (out/webview/panel.js, `npm run build`) and the theme stylesheet, with a
 * stand-in for the webview API that records what the panel posts and saves. The browser tests
 * and the import benchmark play the host through it.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import type { HostToPanelMessage } from '../../src/core/analysis/panelProtocol';
import { panelHtml } from '../../src/extension/webviewHtml';

const ROOT = path.join(__dirname, '..', '..', '..');
export const CHROMIUM = process.env.DSLAB_CHROMIUM ?? '/usr/bin/chromium';

/** What VS Code provides to a webview: the API object and the theme's variables on the root. */
const WEBVIEW_STAND_IN = `
window.__posted = [];
window.__state = undefined;
window.acquireVsCodeApi = () => ({
  postMessage: (m) => window.__posted.push(m),
  getState: () => window.__state,
  setState: (s) => { window.__state = s; },
});
document.addEventListener('DOMContentLoaded', () => {
  document.body.classList.add('vscode-light');
  const vars = { '--vscode-editor-background': '#ffffff', '--vscode-editor-foreground': '#333333', '--vscode-charts-blue': '#1a85ff',
    '--vscode-charts-red': '#e51400', '--vscode-charts-green': '#388a34', '--vscode-editorWidget-border': '#c8c8c8' };
  for (const [k, v] of Object.entries(vars)) document.documentElement.style.setProperty(k, v);
});
`;

/** Debian's Chromium, headless, as the browser tests and the benchmark run it. */
export async function launchChromium(): Promise<Browser> {
  // Loaded lazily so that a machine without the dev dependency can still run the other tests.
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'], headless: true });
}

export interface PanelPage {
  browser: Browser;
  page: Page;
  /** Console errors and uncaught exceptions of the page. */
  problems: string[];
  /** What the panel posted to the host so far. */
  posted(): Promise<unknown[]>;
  /** Posts a message to the panel as the host does. */
  send(m: HostToPanelMessage | Record<string, unknown>): Promise<unknown>;
  /** Closes the browser and removes the page's folder. */
  close(): Promise<void>;
}

/** Opens the panel page for a space file named `file` and waits for its `ready`. */
export async function openPanelPage(file = 'file:///w/three.regnet.yaml'): Promise<PanelPage> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dslab-panel-'));
  const html = path.join(dir, 'panel.html');
  fs.writeFileSync(
    html,
    panelHtml({
      nonce: 'TESTNONCE',
      cspSource: 'file:',
      scriptUri: pathToFileURL(path.join(ROOT, 'out', 'webview', 'panel.js')).href,
      styleUri: pathToFileURL(path.join(ROOT, 'media', 'panel.css')).href,
      file,
      title: `Results: ${path.basename(file)}`,
    }),
  );
  const browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page: ${e.message}`));
  await page.addInitScript(WEBVIEW_STAND_IN);
  await page.goto(pathToFileURL(html).href);
  await page.waitForFunction('window.__posted.length > 0');
  return {
    browser,
    page,
    problems,
    posted: () => page.evaluate('window.__posted') as Promise<unknown[]>,
    send: (m) => page.evaluate((msg) => (globalThis as unknown as { postMessage(m: unknown, origin: string): void }).postMessage(msg, '*'), m),
    close: async () => {
      await browser.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
