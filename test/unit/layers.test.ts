// The code's layers, as the README's Development section draws them: src/core is pure TypeScript
// (no vscode, no tfjs, nothing outside core but Node's modules and its few libraries), neither
// the extension nor the sweep runner loads tfjs (only the worker processes do), and no two modules
// import each other, directly or around a loop.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..', '..');

interface Import {
  /** As written: './edf', 'yaml', 'node:fs'. */
  specifier: string;
  /** The .ts file a relative import resolves to. */
  file?: string;
  /** Types only: erased by the compiler, loads nothing at run time. */
  typeOnly: boolean;
}

function tsFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? tsFiles(p) : e.name.endsWith('.ts') ? [p] : [];
  });
}

/** The import and re-export statements of a module. */
function importsOf(file: string): Import[] {
  const text = fs.readFileSync(file, 'utf8');
  const out: Import[] = [];
  const statement = /^(import|export)\s+(type\s+)?([^;'"]*?)\s*from\s+['"]([^'"]+)['"]/gm;
  for (let m = statement.exec(text); m !== null; m = statement.exec(text)) {
    const clause = m[3].trim();
    const names = /^\{([^}]*)\}$/.exec(clause)?.[1].split(',').map((s) => s.trim()).filter(Boolean);
    const typeOnly = m[2] !== undefined || (names !== undefined && names.length > 0 && names.every((n) => n.startsWith('type ')));
    const specifier = m[4];
    let resolved: string | undefined;
    if (specifier.startsWith('.')) {
      const base = path.resolve(path.dirname(file), specifier);
      resolved = [`${base}.ts`, path.join(base, 'index.ts'), base].find((f) => fs.existsSync(f) && fs.statSync(f).isFile());
    }
    out.push({ specifier, typeOnly, ...(resolved ? { file: resolved } : {}) });
  }
  // Side-effect imports: import './x';
  for (const m of text.matchAll(/^import\s+['"]([^'"]+)['"]/gm)) out.push({ specifier: m[1], typeOnly: false });
  return out;
}

const SRC = path.join(ROOT, 'src');
const CORE = path.join(SRC, 'core');
const FILES = [...tsFiles(SRC), ...tsFiles(path.join(ROOT, 'webview')), ...tsFiles(path.join(ROOT, 'bench'))];
const IMPORTS = new Map(FILES.map((f) => [f, importsOf(f)]));
const rel = (f: string): string => path.relative(ROOT, f);

describe('layers', () => {
  test('src/core imports only core, Node, its libraries and JSON data: never vscode, tfjs, train, sweep, cli or extension', () => {
    const allowed = /^(node:|yaml$|ajv$|pure-rand\/|text-table$)/;
    const bad: string[] = [];
    for (const file of tsFiles(CORE)) {
      for (const i of IMPORTS.get(file) ?? []) {
        const inside = i.file !== undefined && i.file.startsWith(CORE + path.sep);
        // Data, not code: package.json (the version), schemas/space.schema.json.
        const data = i.file !== undefined && i.file.endsWith('.json');
        if (!(inside || data || (!i.specifier.startsWith('.') && allowed.test(i.specifier)))) bad.push(`${rel(file)} → ${i.specifier}`);
      }
    }
    assert.deepEqual(bad, []);
  });

  /** The run-time import chains from the modules of `dir` to tfjs (or webgpu), and how many modules they reach. */
  function tfjsReachedFrom(dir: string): { tfjs: string[]; reached: number } {
    const reached = new Set<string>();
    const tfjs: string[] = [];
    const visit = (file: string, via: string[]): void => {
      if (reached.has(file)) return;
      reached.add(file);
      for (const i of IMPORTS.get(file) ?? []) {
        if (i.typeOnly) continue;
        if (/^@tensorflow\//.test(i.specifier) || i.specifier === 'webgpu') tfjs.push([...via, rel(file), i.specifier].join(' → '));
        if (i.file && IMPORTS.has(i.file)) visit(i.file, [...via, rel(file)]);
      }
    };
    for (const file of tsFiles(dir)) visit(file, []);
    return { tfjs, reached: reached.size };
  }

  test('the extension loads no tfjs at run time, directly or through what it imports', () => {
    const { tfjs, reached } = tfjsReachedFrom(path.join(SRC, 'extension'));
    assert.deepEqual(tfjs, []);
    assert.ok(reached > 20, `only ${reached} modules reached: the import parser is broken`);
  });

  test('the sweep runner and its worker pool load no tfjs at run time: only the workers they fork do', () => {
    const { tfjs, reached } = tfjsReachedFrom(path.join(SRC, 'sweep'));
    assert.deepEqual(tfjs, []);
    assert.ok(reached > 10, `only ${reached} modules reached: the import parser is broken`);
  });

  test('no import cycle, type imports included (src, webview, bench)', () => {
    const cycles: string[] = [];
    const done = new Set<string>();
    const onPath: string[] = [];
    const visit = (file: string): void => {
      if (done.has(file)) return;
      const at = onPath.indexOf(file);
      if (at >= 0) {
        cycles.push([...onPath.slice(at), file].map(rel).join(' → '));
        return;
      }
      onPath.push(file);
      for (const i of IMPORTS.get(file) ?? []) if (i.file && IMPORTS.has(i.file)) visit(i.file);
      onPath.pop();
      done.add(file);
    };
    for (const file of FILES) visit(file);
    assert.deepEqual(cycles, []);
  });

  test('the import parser tells run-time from type-only imports and resolves relative ones', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dslab-layers-'));
    try {
      fs.writeFileSync(path.join(dir, 'a.ts'), "import { b } from './b';\nimport type { T } from './c';\nimport * as tf from '@tensorflow/tfjs-core';\n");
      fs.writeFileSync(path.join(dir, 'b.ts'), "export { a } from './a';\n");
      fs.writeFileSync(path.join(dir, 'c.ts'), 'export type T = number;\n');
      const a = importsOf(path.join(dir, 'a.ts'));
      assert.deepEqual(
        a.map((i) => [i.specifier, i.typeOnly, i.file && path.basename(i.file)]),
        [['./b', false, 'b.ts'], ['./c', true, 'c.ts'], ['@tensorflow/tfjs-core', false, undefined]],
      );
      assert.equal(importsOf(path.join(dir, 'b.ts'))[0].file, path.join(dir, 'a.ts'));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
