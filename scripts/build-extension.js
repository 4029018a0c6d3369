#!/usr/bin/env node
// Bundles the VS Code extension (src/extension/extension.ts and the core it adapts) into one
// CommonJS file, out/extension/extension.js, the package's `main`, and its worker threads into
// out/extension/*Worker.js: the Sample lens's, the HTML report's (results), the Results panel's
// and the import's. `vscode` is provided by the editor.
'use strict';
const path = require('node:path');
const esbuild = require('esbuild');

const root = path.join(__dirname, '..');
esbuild
  .build({
    entryPoints: ['extension', 'sampleWorker', 'resultsWorker', 'panelWorker', 'importWorker'].map((name) => path.join(root, 'src', 'extension', `${name}.ts`)),
    outdir: path.join(root, 'out', 'extension'),
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    external: ['vscode'],
    sourcemap: true,
    minify: process.argv.includes('--minify'),
    logLevel: 'warning',
  })
  .catch(() => process.exit(1));
