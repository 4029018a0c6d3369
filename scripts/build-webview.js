#!/usr/bin/env node
// Bundles the HTML report's browser code (webview/report.ts + chart.js) into one minified
// script, out/webview/report.js, which `dslab analyze --html` inlines into the report.
'use strict';
const path = require('node:path');
const esbuild = require('esbuild');

const root = path.join(__dirname, '..');
esbuild
  .build({
    entryPoints: [path.join(root, 'webview', 'report.ts')],
    outfile: path.join(root, 'out', 'webview', 'report.js'),
    bundle: true,
    minify: true,
    format: 'iife',
    target: 'es2020',
    platform: 'browser',
    legalComments: 'none',
    logLevel: 'warning',
  })
  .catch(() => process.exit(1));
