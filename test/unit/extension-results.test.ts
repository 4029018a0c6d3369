import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { parseSpaceText } from '../../src/core/space';
import { COMMAND, lensesFor } from '../../src/extension/lenses';
import { runResultsRequest } from '../../src/extension/resultsRequest';
import { contentSecurityPolicy, makeNonce, panelHtml } from '../../src/extension/webviewHtml';

const ROOT = path.join(__dirname, '..', '..', '..');
const FIXTURE = path.join(ROOT, 'test', 'fixtures', 'sweeps', 'three-spaces');

describe('the Results panel page', () => {
  test('nonces are fresh and 128 bits', () => {
    const a = makeNonce();
    assert.match(a, /^[A-Za-z0-9+/]{22}$/);
    assert.notEqual(makeNonce(), a);
  });

  test('the policy allows only nonce-marked scripts and local styles, nothing from the network', () => {
    assert.equal(
      contentSecurityPolicy('N0', 'https://w.vscode-cdn.net'),
      "default-src 'none'; img-src https://w.vscode-cdn.net data:; style-src https://w.vscode-cdn.net 'nonce-N0'; script-src 'nonce-N0'; font-src https://w.vscode-cdn.net;",
    );
  });

  test('the shell loads the bundled script and the theme stylesheet, with the report sections and no inline handler', () => {
    const html = panelHtml({
      nonce: 'N1',
      cspSource: 'vscode-webview://x',
      scriptUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/out/webview/panel.js',
      styleUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/media/panel.css',
      file: 'file:///w/a "b".regnet.yaml',
      title: 'Results: a.regnet.yaml',
    });
    assert.ok(html.indexOf('Content-Security-Policy') < html.indexOf('<style'));
    assert.ok(html.includes(`content="${contentSecurityPolicy('N1', 'vscode-webview://x')}"`));
    assert.deepEqual(html.match(/<script[^>]*>/g), ['<script nonce="N1" src="https://file+.vscode-resource.vscode-cdn.net/ext/out/webview/panel.js">']);
    assert.deepEqual(html.match(/<style[^>]*>/g), ['<style nonce="N1">']);
    assert.ok(html.includes('<link rel="stylesheet" href="https://file+.vscode-resource.vscode-cdn.net/ext/media/panel.css">'));
    assert.ok(html.includes('<body data-file="file:///w/a &quot;b&quot;.regnet.yaml">'));
    for (const id of ['edf-chart', 'edf-normalized', 'metric-select', 'scatter-grid', 'model-select', 'width-chart', 'curve-chart', 'search-chart', 'trials', 'sweep-state', 'summary']) {
      assert.ok(html.includes(`id="${id}"`), id);
    }
    assert.doesNotMatch(html, /\son[a-z]+=/);
  });

  test('the analysis of a sweep directory, as dslab analyze computes it', () => {
    const response = runResultsRequest({ dir: FIXTURE });
    assert.ok('analysis' in response, JSON.stringify(response));
    assert.deepEqual(response.analysis.spaces.map((s) => [s.name, s.trials.length]), [['AnyNetX_A', 8], ['AnyNetX_E', 8], ['RegNetX', 8]]);
    assert.equal(response.analysis.progress.recorded, 24);
  });

  test('a directory without a sweep says so', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dslab-results-'));
    try {
      const response = runResultsRequest({ dir });
      assert.ok('error' in response);
      assert.match(response.error, /holds no sweep\.json/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the Results lens sits above spaces: once results exist, trusted or not', () => {
    const text = 'version: 1\nspaces:\n  R:\n    type: regnet\n    depth: [3, 12]\n    w0: [8, 64]\n    wa: [4, 64]\n    wm: [1.5, 3.0]\n    bottleneck: [1]\n    groupWidth: [1]\n';
    const uri = 'file:///w/a.regnet.yaml';
    for (const trusted of [true, false]) {
      const results = lensesFor(parseSpaceText(text), uri, trusted, true).filter((l) => l.command === COMMAND.showResults);
      assert.deepEqual(results.map((l) => [l.range.start.line, l.title, l.args]), [[1, 'Results', [uri]]]);
    }
    assert.equal(lensesFor(parseSpaceText(text), uri, true, false).filter((l) => l.command === COMMAND.showResults).length, 0);
  });
});
