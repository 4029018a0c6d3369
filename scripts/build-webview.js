#!/usr/bin/env node
// Bundles the browser code of the analysis views (webview/*.ts + chart.js + @vscode-elements):
// out/webview/report.js, which `dslab analyze --html` inlines into the static report, and
// out/webview/panel.js, the Results panel's script, which the webview loads from the extension.
'use strict';
const path = require('node:path');
const esbuild = require('esbuild');

const root = path.join(__dirname, '..');
esbuild
  .build({
    entryPoints: ['report', 'panel'].map((name) => path.join(root, 'webview', `${name}.ts`)),
    outdir: path.join(root, 'out', 'webview'),
    bundle: true,
    minify: true,
    format: 'iife',
    target: 'es2020',
    platform: 'browser',
    legalComments: 'none',
    logLevel: 'warning',
  })
  .catch(() => process.exit(1));
