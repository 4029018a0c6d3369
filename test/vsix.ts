// The .vsix that `npm run package` builds, for the tests that check or install it: packaged by
// vsce with the options of the `package` script (read from package.json, so the two cannot
// drift) from the already built out/, once per test process.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';

const ROOT = path.join(__dirname, '..', '..');
const VSCE = path.join(ROOT, 'node_modules', '@vscode', 'vsce', 'vsce');

/** One file of a zip archive: its name and its bytes, inflated. */
export interface ZipEntry {
  name: string;
  data: () => Buffer;
}

/** Reads a zip's central directory (the .vsix is a plain zip: stored or deflated entries). */
export function readZip(zip: Buffer): ZipEntry[] {
  let end = zip.length - 22;
  while (end >= 0 && zip.readUInt32LE(end) !== 0x06054b50) end--;
  assert.ok(end >= 0, 'no end of central directory record');
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const entries: ZipEntry[] = [];
  for (let i = 0; i < count; i++) {
    assert.equal(zip.readUInt32LE(at), 0x02014b50, 'central directory entry');
    const method = zip.readUInt16LE(at + 10);
    const size = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const skip = nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
    const local = zip.readUInt32LE(at + 42);
    const name = zip.toString('utf8', at + 46, at + 46 + nameLength);
    entries.push({
      name,
      data: () => {
        const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
        const raw = zip.subarray(start, start + size);
        return method === 0 ? Buffer.from(raw) : zlib.inflateRawSync(raw);
      },
    });
    at += 46 + skip;
  }
  return entries;
}

/** Writes every entry of a zip under `dir` (a .vsix puts the extension under extension/). */
export function unpackZip(entries: ZipEntry[], dir: string): void {
  for (const e of entries) {
    if (e.name.endsWith('/')) continue;
    const file = path.join(dir, e.name);
    assert.ok(file.startsWith(dir + path.sep), `zip entry outside the folder: ${e.name}`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, e.data());
  }
}

/** The extension's identity, as VS Code names its folder: publisher.name-version. */
export function extensionFolderName(): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { publisher: string; name: string; version: string };
  return `${pkg.publisher}.${pkg.name}-${pkg.version}`;
}

let built: string | undefined;

/**
 * The path of the .vsix, packaged on the first call of this process into a temporary folder
 * that is removed when the process exits. Fails with vsce's output when packaging fails.
 */
export function buildVsix(): string {
  if (built !== undefined) return built;
  const script: string = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).scripts.package;
  const vsceArgs = script.split('&&').map((s) => s.trim()).find((s) => s.startsWith('vsce '));
  assert.ok(vsceArgs, `the package script runs vsce: ${script}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dslab-vsix-'));
  process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  const vsix = path.join(dir, `${extensionFolderName()}.vsix`);
  // stdin closed: a question from vsce (missing LICENSE, repository) fails instead of hanging.
  // The timeout is generous: vsce lists the production node_modules, slow on a loaded machine.
  const r = spawnSync(process.execPath, [VSCE, ...vsceArgs.split(/\s+/).slice(1), '--out', vsix], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 240_000,
  });
  assert.equal(r.status, 0, `vsce package failed${r.error ? ` (${r.error.message})` : ''}:\n${r.stdout}\n${r.stderr}`);
  built = vsix;
  return vsix;
}
