import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { REPORT_DATA_ID } from '../../src/core/analysis/reportHtml';
import { parseSpaceText } from '../../src/core/space';
import { COMMAND, lensesFor } from '../../src/extension/lenses';
import { runResultsRequest } from '../../src/extension/resultsRequest';
import { contentSecurityPolicy, makeNonce, withContentSecurityPolicy } from '../../src/extension/webviewHtml';

const ROOT = path.join(__dirname, '..', '..', '..');
const FIXTURE = path.join(ROOT, 'test', 'fixtures', 'sweeps', 'three-spaces');
const BUNDLE = path.join(ROOT, 'out', 'webview', 'report.js');

describe('the report in a webview', () => {
  test('nonces are fresh and 128 bits', () => {
    const a = makeNonce();
    assert.match(a, /^[A-Za-z0-9+/]{22}$/);
    assert.notEqual(makeNonce(), a);
  });

  test('the policy allows only the nonce-marked script and style, nothing from the network', () => {
    assert.equal(
      contentSecurityPolicy('N0', 'https://w.vscode-cdn.net'),
      "default-src 'none'; img-src https://w.vscode-cdn.net data:; style-src 'nonce-N0'; script-src 'nonce-N0'; font-src https://w.vscode-cdn.net;",
    );
    const page = '<!DOCTYPE html>\n<html><head>\n<style>p{}</style></head><body><script type="application/json" id="d">{}</script><script>go()</script><scripts-note></body></html>';
    const out = withContentSecurityPolicy(page, 'N0', 'vscode-resource:');
    assert.equal(
      out,
      `<!DOCTYPE html>\n<html><head>\n<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy('N0', 'vscode-resource:')}">\n<style nonce="N0">p{}</style></head><body><script nonce="N0" type="application/json" id="d">{}</script><script nonce="N0">go()</script><scripts-note></body></html>`,
    );
  });

  test('the report of a sweep directory, as dslab analyze --html renders it, with its CSP', () => {
    const response = runResultsRequest({ dir: FIXTURE, bundlePath: BUNDLE });
    assert.ok('html' in response, JSON.stringify(response));
    assert.ok(response.planned > 0 && response.recorded <= response.planned);
    const html = withContentSecurityPolicy(response.html, 'N1', 'x:');
    assert.equal(html.match(/<script(?=[\s>])/g)?.length, html.match(/<script nonce="N1"/g)?.length);
    assert.ok(html.includes(`<script nonce="N1" type="application/json" id="${REPORT_DATA_ID}">`));
    assert.ok(html.indexOf('Content-Security-Policy') < html.indexOf('<style'));
  });

  test('a directory without a sweep says so', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dslab-results-'));
    try {
      const response = runResultsRequest({ dir, bundlePath: BUNDLE });
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
