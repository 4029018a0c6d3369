/**
 * The extension in a real VS Code, as a user gets it: the .vsix `npm run package` makes,
 * installed with `code-server --install-extension` into a fresh extensions dir of code-server
 * 4.100.3 (VS Code 1.100.3, installed by scripts/install-code-server.sh), driven through Debian's
 * headless Chromium. The installed folder must hold the .vsix's files and no sources, and the
 * Results panel's script must load from it, so the source folder cannot stand in for the
 * package. On a workspace holding the example space file and two synthetic ones it checks the
 * CodeLenses, a diagnostic that comes and goes while typing, a whole sweep from the ▶ Sample &
 * Train lens to the Results panel's EDF chart, and a slower sweep whose panel fills in live,
 * which is cancelled and then resumed, the Sweeps view, and a collected pycls sweep opened,
 * analyzed and shown. Every wait is for a condition, with generous limits: the
 * test must hold on a loaded 2-core machine. Saves a screenshot per step
 * under out/e2e-screenshots/ (and docs/vscode.png, docs/results-live.png with DSLAB_UPDATE_DOCS=1).
 * Skips only when code-server or Chromium is not installed (CI installs both).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser, FrameLocator, Locator, Page } from 'playwright-core';
import { buildVsix, extensionFolderName, readZip } from '../vsix';
import { missingFile, skipUnless } from '../requirements';

const ROOT = path.join(__dirname, '..', '..', '..');
const CODE_SERVER_DIR = process.env.DSLAB_CODE_SERVER ?? path.join(ROOT, '.cache', 'code-server-4.100.3');
const CODE_SERVER = path.join(CODE_SERVER_DIR, 'node_modules', '.bin', 'code-server');
const CHROMIUM = process.env.DSLAB_CHROMIUM ?? '/usr/bin/chromium';
const SHOTS = path.join(ROOT, 'out', 'e2e-screenshots');
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

/**
 * How long a wait may take, far above the usual (a second or two, and ~20 s for the slow sweep):
 * a loaded 2-core CI machine must not make the test flaky. UI: the workbench reacting to a
 * click, a key or a file change; SLOW: anything that starts processes or trains.
 */
const UI = 30_000;
const SLOW = 120_000;

/** User settings that keep the workbench quiet: no welcome page, trust prompt or update checks. */
const SETTINGS = {
  'workbench.startupEditor': 'none',
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'update.mode': 'none',
  'workbench.enableExperiments': false,
  'workbench.tips.enabled': false,
  'editor.codeLens': true,
  'editor.minimap.enabled': false,
  'terminal.integrated.gpuAcceleration': 'off',
};

/**
 * A sweep that trains in about a second: 8×8 synthetic images, two spaces of two models each, as a
 * sequential sweep of one round (so the panel shows its round and decisions).
 */
const TINY_SPACE = `version: 1
name: tiny
dataset: { name: synthetic, resolution: 8, channels: 3, classes: 4, train: 64, test: 32 }
model:
  stem: { type: cifar, width: 8 }
  block: X
  stages: 2
  strides: [1, 2]
training: { epochs: 1, batchSize: 32, backend: wasm }
sampling: { seed: 0, samples: { min: 2, max: 2, until: decided } }
spaces:
  A: { type: anynet, depth: [1, 1], width: [8, 16], bottleneck: [1], groupWidth: [8] }
  B: { type: anynet, depth: [1, 1], width: [8, 16], bottleneck: [1], groupWidth: [4] }
`;

/**
 * Eight trials of 2–8 s each (two workers: ~15–25 s in all on the 2-core machine): slow enough to
 * watch the panel fill in and to cancel halfway. Slowed by the resolution, not by more data, so
 * that the models stay far apart in error (7–40% rather than all 0%) and the EDFs mean something.
 */
const SLOW_SPACE = `version: 1
name: slow
dataset: { name: synthetic, resolution: 32, channels: 3, classes: 4, train: 512, test: 64 }
model:
  stem: { type: cifar, width: 8 }
  block: X
  stages: 2
  strides: [1, 2]
training: { epochs: 3, batchSize: 32, backend: wasm }
sampling: { seed: 0, samples: 4 }
spaces:
  A: { type: anynet, depth: [1, 2], width: [8, 16], bottleneck: [1], groupWidth: [8] }
  B: { type: anynet, depth: [1, 2], width: [8, 16], bottleneck: [1], groupWidth: [4] }
`;

/**
 * A sweep for the one-node Slurm cluster (test/slurm/start-cluster.sh), chosen in the file: three
 * trials, one task at a time, each far longer than the test waits, so that it is cancelled running.
 */
const CLUSTER_SPACE = `version: 1
name: cluster
dataset: { name: synthetic, resolution: 8, channels: 3, classes: 4, train: 1024, test: 64 }
model:
  stem: { type: cifar, width: 8 }
  block: X
  stages: 2
  strides: [1, 2]
training: { epochs: 5000, batchSize: 64, backend: wasm }
sampling: { seed: 0, samples: 3 }
executor: { type: slurm, parallel: 1 }
spaces:
  A: { type: anynet, depth: [1, 1], width: [8, 16], bottleneck: [1], groupWidth: [8] }
`;

/** Why no Slurm cluster answers here, or undefined when one does. */
function clusterMissing(): string | undefined {
  const r = spawnSync('sinfo', ['-h', '-o', '%T'], { encoding: 'utf8', timeout: 20_000 });
  if (r.error || r.status !== 0) return `no Slurm cluster answers (sinfo: ${r.error ? (r.error as NodeJS.ErrnoException).code : r.stderr.trim()})`;
  return /idle|mix|alloc/.test(r.stdout) ? undefined : `the Slurm cluster has no node up (${r.stdout.trim()})`;
}

const missing = [missingFile(CODE_SERVER, 'code-server'), missingFile(CHROMIUM, 'Chromium')].filter((m) => m !== undefined);
const skip = skipUnless(missing.length > 0 ? missing.join('; ') : undefined, 'bash scripts/install-code-server.sh; apt-get install chromium');

/** A TCP port nobody listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

/** Polls `probe` until it returns a value other than undefined, or fails after `ms` with `what`. */
async function until<T>(what: string, ms: number, probe: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Runs a command to its end (killed after `ms`): its exit code and its output, both streams. */
function run(command: string, args: string[], ms: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: ms, killSignal: 'SIGKILL' });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (t: string) => (output += t));
    child.stderr.setEncoding('utf8').on('data', (t: string) => (output += t));
    child.on('error', (e) => (output += `\n${e.message}`));
    child.on('close', (code, signal) => resolve({ code, output: signal ? `${output}\nkilled by ${signal} after ${ms} ms` : output }));
  });
}

/** The part of a canvas element the pixel count reads (the test compiles without DOM types). */
interface Canvas2d {
  width: number;
  height: number;
  getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> } };
}

const LENS = '.monaco-editor .codelens-decoration a';

/** The CodeLens titles of the visible editor, in document order. */
const lensTitles = (page: Page): Promise<string[]> => page.locator(LENS).allTextContents();

/** Waits until the lenses are exactly `expected` (the provider re-creates them on every refresh). */
function lensesEqual(page: Page, expected: string[], ms = UI): Promise<string[]> {
  return until(`lenses ${JSON.stringify(expected)}`, ms, async () => {
    const titles = await lensTitles(page);
    if (JSON.stringify(titles) === JSON.stringify(expected)) return titles;
    throw new Error(`the lenses are ${JSON.stringify(titles)}`);
  });
}

/** Files under `dir`, recursively, relative to it. */
function filesUnder(dir: string): string[] {
  const walk = (sub: string): string[] =>
    fs.readdirSync(path.join(dir, sub), { withFileTypes: true }).flatMap((e) => {
      const rel = sub === '' ? e.name : `${sub}/${e.name}`;
      return e.isDirectory() ? walk(rel) : e.isFile() ? [rel] : [];
    });
  return fs.existsSync(dir) ? walk('').sort() : [];
}

describe('the extension in VS Code (code-server)', { skip, timeout: 600_000 }, () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dslab-e2e-'));
  const workspace = path.join(tmp, 'ws');
  let server: ChildProcess | undefined;
  /** The folder code-server installed the .vsix into. */
  let installed = '';
  let serverLog = '';
  let browser: Browser | undefined;
  let page: Page;
  let shot = 0;
  /** The user settings code-server reads (and re-reads when they change). */
  const settingsFile = path.join(tmp, 'user-data', 'User', 'settings.json');
  const screenshot = async (name: string): Promise<string> => {
    const file = path.join(SHOTS, `${String(++shot).padStart(2, '0')}-${name}.png`);
    await page.screenshot({ path: file });
    return file;
  };

  before(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    fs.mkdirSync(workspace);
    fs.copyFileSync(path.join(ROOT, 'examples', 'space.regnet.yaml'), path.join(workspace, 'space.regnet.yaml'));
    fs.writeFileSync(path.join(workspace, 'tiny.regnet.yaml'), TINY_SPACE);
    fs.writeFileSync(path.join(workspace, 'slow.regnet.yaml'), SLOW_SPACE);
    fs.writeFileSync(path.join(workspace, 'cluster.regnet.yaml'), CLUSTER_SPACE);
    fs.copyFileSync(path.join(ROOT, 'test', 'fixtures', 'interop', 'cifar_regnet', 'sweep.json'), path.join(workspace, 'cifar_regnet.json'));
    const extensions = path.join(tmp, 'extensions');
    const userData = path.join(tmp, 'user-data');
    fs.mkdirSync(extensions);
    fs.mkdirSync(path.join(userData, 'User'), { recursive: true });
    fs.writeFileSync(settingsFile, JSON.stringify(SETTINGS, null, 2));
    // An empty config file, so that a user's ~/.config/code-server/config.yaml (password auth) is not read.
    const config = path.join(tmp, 'config.yaml');
    fs.writeFileSync(config, '');
    // The extension under test is the .vsix `npm run package` makes, installed as a user would.
    const vsix = buildVsix();
    const install = await run(CODE_SERVER, ['--config', config, '--user-data-dir', userData, '--extensions-dir', extensions, '--install-extension', vsix], SLOW);
    assert.equal(install.code, 0, `code-server --install-extension failed:\n${install.output}`);
    // Everything the .vsix holds is in the installed folder, and nothing of the checkout besides
    // (no sources): the workbench below can only be running the packaged extension.
    installed = path.join(extensions, extensionFolderName());
    assert.ok(fs.lstatSync(installed).isDirectory(), `${installed} is a folder (not a link)\n${install.output}`);
    const packaged = readZip(fs.readFileSync(vsix)).map((e) => e.name).filter((n) => n.startsWith('extension/')).map((n) => n.slice('extension/'.length));
    const files = new Set(filesUnder(installed));
    assert.deepEqual(packaged.filter((f) => !files.has(f)), [], 'files of the .vsix missing from the installed extension');
    for (const dir of ['src', 'test', 'webview', 'scripts', '.git']) assert.ok(!fs.existsSync(path.join(installed, dir)), `${dir}/ is not installed`);
    assert.ok(fs.existsSync(path.join(installed, 'out', 'extension', 'extension.js')));

    const port = await freePort();
    server = spawn(CODE_SERVER, [
      '--config', config, '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none',
      '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--disable-getting-started-override',
      '--extensions-dir', extensions, '--user-data-dir', userData, workspace,
    ], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    server.stdout!.setEncoding('utf8').on('data', (t: string) => (serverLog += t));
    server.stderr!.setEncoding('utf8').on('data', (t: string) => (serverLog += t));
    const base = `http://127.0.0.1:${port}`;
    await until('code-server to answer /healthz', SLOW, async () => {
      if (server!.exitCode !== null) throw new Error(`code-server exited with ${server!.exitCode}: ${serverLog}`);
      return (await fetch(`${base}/healthz`)).ok ? true : undefined;
    });

    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.setDefaultTimeout(UI);
    await page.goto(`${base}/?folder=${encodeURIComponent(workspace)}`);
    await page.waitForSelector('.monaco-workbench', { timeout: SLOW });
  });

  after(async () => {
    // The last state of the workbench, for a failure's diagnosis.
    if (browser) await page.screenshot({ path: path.join(SHOTS, '99-last.png') }).catch(() => undefined);
    await browser?.close();
    // code-server runs the extension host and its file watcher as children: stop the whole group.
    if (server?.pid !== undefined && server.exitCode === null) {
      const exited = new Promise((r) => server!.once('exit', r));
      process.kill(-server.pid, 'SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
      if (server.exitCode === null && server.signalCode === null) process.kill(-server.pid, 'SIGKILL');
    }
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  /** Opens a file of the workspace from the explorer and waits for its editor. */
  async function open(name: string): Promise<void> {
    const row = page.locator('.explorer-folders-view .monaco-list-row', { hasText: name });
    await row.waitFor({ timeout: SLOW });
    await row.click();
    await page.locator('.tabs-container .tab.active', { hasText: name }).waitFor({ timeout: UI });
    await page.waitForSelector('.monaco-editor .view-lines', { timeout: UI });
  }

  /** Selects the first occurrence of `text` in the active editor with the find widget. */
  async function select(text: string): Promise<void> {
    await page.locator('.monaco-editor .view-lines').first().click();
    await page.keyboard.press('Control+f');
    const input = page.locator('.find-widget .input').first();
    await input.waitFor({ timeout: UI });
    await input.fill(text);
    await until(`a match for ${text}`, UI, async () => {
      const count = await page.locator('.find-widget .matchesCount').textContent();
      return count && /^1 of \d+$/.test(count.trim()) ? true : undefined;
    });
    await page.keyboard.press('Escape');
  }

  const SPACE_LENSES = ['▶ Sample & Train all', 'Sample all', '▶ Sample & Train', 'Sample', '▶ Sample & Train', 'Sample', '▶ Sample & Train', 'Sample'];

  test('the example space file shows its CodeLenses: all spaces, then each of the three', async () => {
    await open('space.regnet.yaml');
    // The editor renders only the lenses in view: scroll to the end, where `spaces:` and all three are.
    await page.locator('.monaco-editor .view-lines').first().click();
    await page.keyboard.press('Control+End');
    const titles = await lensesEqual(page, SPACE_LENSES, SLOW);
    assert.equal(titles.length, 8);
    await screenshot('codelens');
  });

  test('an invalid width shows an error while typing, fixing it clears it', async () => {
    const errors = (): Promise<number> => page.locator('.monaco-editor .squiggly-error').count();
    assert.equal(await errors(), 0);
    await select('width: [8, 128]');
    await page.keyboard.type('width: [8, 100]');
    await until('an error squiggle', UI, async () => ((await errors()) > 0 ? true : undefined));
    // The lenses turn into one pointer to the problem per place a training lens was.
    await lensesEqual(page, ['⚠ fix 1 problem to train', '⚠ fix 1 problem to train', '⚠ fix 1 problem to train', '⚠ fix 1 problem to train']);
    const hover = await page.locator('.monaco-editor .squiggly-error').first().boundingBox();
    assert.ok(hover !== null);
    const pointAt = (): Promise<void> => page.mouse.move(hover.x + hover.width / 2, hover.y + hover.height / 2);
    await pointAt();
    let probes = 0;
    const message = await until('the error hover', UI, async () => {
      const text = await page.locator('.monaco-hover .hover-contents').allTextContents();
      const found = text.find((t) => t.includes('multiple of 8'));
      // A hover that did not come (the editor was busy) comes when the mouse leaves and returns.
      if (found === undefined && ++probes % 10 === 0) {
        await page.mouse.move(5, 5);
        await pointAt();
      }
      return found;
    });
    assert.match(message, /spaces\.AnyNetX_A\.width\[1\] must be a multiple of 8, got 100/);
    await screenshot('diagnostic');
    await page.mouse.move(5, 5);

    // The quick fix the message proposes (Ctrl+. on the error): the nearest multiple of 8.
    await select('width: [8, 100]');
    // The cursor inside `100` (the selection collapses to its end, after the bracket).
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('Control+.');
    const fix = page.locator('.action-widget', { hasText: 'Change to 104, the nearest multiple of 8' }).getByText('Change to 104, the nearest multiple of 8');
    await fix.waitFor({ timeout: UI });
    await screenshot('quick-fix');
    // The menu opens with its preferred (first) fix focused.
    await page.keyboard.press('Enter');
    await until('no error squiggle after the fix', UI, async () => ((await errors()) === 0 ? true : undefined));
    await page.locator('.monaco-editor .view-lines', { hasText: /width:\s\[8,\s104\]/ }).waitFor({ timeout: UI });
    await lensesEqual(page, SPACE_LENSES);

    await select('width: [8, 104]');
    await page.keyboard.type('width: [8, 128]');
    await until('no error squiggle', UI, async () => ((await errors()) === 0 ? true : undefined));
    await lensesEqual(page, SPACE_LENSES);
    await screenshot('fixed');

    // F12 on the space an `extends:` names goes to that space's definition.
    await select('extends: AnyNetX_A');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowLeft');
    const line = (): Promise<string | null> => page.locator('[id="status.editor.selection"]').textContent();
    const at = (await line()) ?? '';
    await page.keyboard.press('F12');
    const target = await until('the cursor at AnyNetX_A’s definition', UI, async () => {
      const now = (await line()) ?? '';
      return now !== at && /^Ln \d+, Col 3$/.test(now.trim()) ? now.trim() : undefined;
    });
    const lineNumber = Number(/^Ln (\d+)/.exec(target)![1]);
    assert.equal(fs.readFileSync(path.join(workspace, 'space.regnet.yaml'), 'utf8').split('\n')[lineNumber - 1], '  AnyNetX_A:');
  });

  /** The visible Results panel's page (hidden webviews keep their iframes). */
  const panel = (): FrameLocator => page.frameLocator('iframe.webview.ready:visible').frameLocator('#active-frame');

  /** The page of the visible Results panel when it shows `file` (both panels share the editor group). */
  const panelOf = (file: string): Locator => panel().locator(`body[data-file$="/${file}"]`);

  /** Canvas pixels that are not transparent. */
  const paintedPixels = (canvas: Locator): Promise<number> =>
    canvas.evaluate((element) => {
      const c = element as unknown as Canvas2d;
      const img = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let count = 0;
      for (let i = 3; i < img.length; i += 4) if (img[i] !== 0) count++;
      return count;
    });

  /** The text of the task terminal's visible rows. */
  const terminalText = async (): Promise<string> => (await page.locator('.terminal-wrapper .xterm-rows').allTextContents()).join('\n');

  /** Waits until the element's text matches `re` (a panel's parts update on separate messages). */
  const textMatches = (what: string, element: Locator, re: RegExp, ms = UI): Promise<string> =>
    until(what, ms, async () => {
      const text = (await element.textContent({ timeout: 2_000 })) ?? '';
      if (re.test(text)) return text;
      throw new Error(`the text is ${JSON.stringify(text)}`);
    });

  test('▶ Sample & Train runs the sweep as a task; the Results lens shows its EDF chart', async () => {
    await open('tiny.regnet.yaml');
    const before = ['▶ Sample & Train all', 'Sample all', '▶ Sample & Train', 'Sample', '▶ Sample & Train', 'Sample'];
    await lensesEqual(page, before, SLOW);
    await page.locator(LENS, { hasText: /^▶ Sample & Train all$/ }).click();

    const sweep = path.join(workspace, '.dslab', 'tiny.regnet');
    const expected = ['sweep.json', 'trials/A/0000.json', 'trials/A/0001.json', 'trials/B/0000.json', 'trials/B/0001.json'];
    await until('the sweep files on disk', SLOW, () => (JSON.stringify(filesUnder(sweep)) === JSON.stringify(expected) ? true : undefined));
    // The task terminal shows each trial and the summary table.
    const terminal = await until('the sweep summary in the task terminal', UI, async () => {
      const rows = await page.locator('.terminal-wrapper .xterm-rows').allTextContents();
      const text = rows.join('\n');
      return /4 of 4 trials done/.test(text) ? text : undefined;
    });
    // (Only the last screenful is in the DOM, and workers finish trials in any order.)
    assert.match(terminal, /[AB] #[01]: [\d.]+% error, [\d.]+ s(, \d+ img\/s)?\s+\[4\/4\]/);
    assert.match(terminal, /space\s+n\s+done\s+failed\s+diverged\s+best\s+median/);
    assert.match(terminal, /A\s+2\s+2\s+0\s+0\s/);
    assert.match(terminal, /B\s+2\s+2\s+0\s+0\s/);
    assert.match(terminal, /Max reached after round 1 of 1, 2 models per space: 0 of 1 pair decided; stopping/);
    await screenshot('sweep-task');

    // The Results lens appears once the sweep has a sweep.json.
    await lensesEqual(page, ['▶ Sample & Train all', 'Sample all', 'Results', '▶ Sample & Train', 'Sample', '▶ Sample & Train', 'Sample'], UI);
    await page.locator(LENS, { hasText: /^Results$/ }).click();
    const report = panelOf('tiny.regnet.yaml');
    const canvas: Locator = report.locator('#edf-chart');
    await canvas.waitFor({ timeout: SLOW });
    // The panel's script comes from the installed extension's folder.
    const script = await report.locator('script[src]').first().getAttribute('src', { timeout: UI });
    assert.ok(decodeURIComponent(script ?? '').includes(`${installed}/out/webview/panel.js`), `the panel's script ${script} is in ${installed}`);
    const summary = await until('the analysis of all 4 trials', UI, async () => {
      const text = await report.locator('h1 + p').textContent({ timeout: 10_000 });
      return /4 of 4 trials recorded/.test(text ?? '') ? text : undefined;
    });
    assert.match(summary ?? '', /4 of 4 trials recorded/);
    await textMatches('the sweep state', report.locator('#sweep-state'), /^Done: 4 of 4 trials · best error [\d.]+% \([AB]\)$/);
    const painted = await until('the EDF chart to be drawn', UI, async () => {
      const n = await paintedPixels(canvas);
      return n > 1000 ? n : undefined;
    });
    assert.ok(painted > 1000);
    // One step curve per space: the start point plus one point per distinct error of its 2 trials.
    const points = await canvas.evaluate(() => {
      const charts = (globalThis as unknown as { dslabReport: { charts: Map<string, { data: { datasets: { data: unknown[] }[] } }> } }).dslabReport.charts;
      return charts.get('edf')!.data.datasets.map((d) => d.data.length);
    });
    assert.equal(points.length, 2);
    assert.ok(points.every((n) => n >= 2 && n <= 3), JSON.stringify(points));
    // The sequential sweep's round and decisions above the findings.
    await textMatches('the round', report.locator('#sequential li').first(), /^Max reached after round 1 of 1, 2 models per space: 0 of 1 pair decided; stopping$/);
    await textMatches('the pair', report.locator('#sequential li').nth(1), /^A vs B: undecided after round 1 \(p = [\d.]+ > α₁ = 0\.05(, normalized)?\)$/);
    // Confidence bands: two bounds per space join the EDF chart, and the caption gives their width.
    await report.locator('#edf-band').click({ timeout: UI });
    await until('the EDF bands', UI, async () => {
      const n = await canvas.evaluate(() => {
        const charts = (globalThis as unknown as { dslabReport: { charts: Map<string, { data: { datasets: unknown[] } }> } }).dslabReport.charts;
        return charts.get('edf')!.data.datasets.length;
      });
      return n === 6 ? true : undefined;
    });
    await textMatches('the band caption', report.locator('#edf-band-caption'), /^shaded: 95% simultaneous \(DKW\) bands: A ±0\.96 \(n = 2\), B ±0\.96 \(n = 2\)$/);
    await canvas.scrollIntoViewIfNeeded();
    const file = await screenshot('results');
    // The click made the panel's group the active one; the space file's group takes it back, so
    // that files opened next open there, as they did before.
    await page.locator('.tabs-container .tab', { hasText: 'tiny.regnet.yaml' }).first().click({ timeout: UI });
    // The README's picture is refreshed on request only, so a test run leaves the checkout clean.
    if (process.env.DSLAB_UPDATE_DOCS) fs.copyFileSync(file, path.join(ROOT, 'docs', 'vscode.png'));
  });

  test('the Results panel fills in live; cancelling stops the sweep, running it again resumes', async () => {
    await open('slow.regnet.yaml');
    await lensesEqual(page, ['▶ Sample & Train all', 'Sample all', '▶ Sample & Train', 'Sample', '▶ Sample & Train', 'Sample'], SLOW);
    await page.locator(LENS, { hasText: /^▶ Sample & Train all$/ }).click();

    // The panel opens by itself when the sweep starts and counts the trials as they finish.
    const slowPanel = panelOf('slow.regnet.yaml');
    const state = slowPanel.locator('#sweep-state');
    // A sweep that ended before the test could watch it (a much faster machine) fails at once,
    // saying so, instead of waiting out the limit.
    const tooFast = 'the sweep ended before the test could watch it run: make SLOW_SPACE slower';
    const doneCount = async (): Promise<number | undefined> => {
      const phase = await state.getAttribute('data-phase', { timeout: 2_000 });
      if (phase === 'done') return -1;
      if (phase !== 'running') return undefined;
      return Number(await state.getAttribute('data-done', { timeout: 2_000 }));
    };
    const first = await until('a first finished trial in the panel', SLOW, async () => {
      const n = await doneCount();
      return n !== undefined && (n >= 1 || n === -1) ? n : undefined;
    });
    assert.notEqual(first, -1, tooFast);
    const rows = slowPanel.locator('#trials tbody tr');
    const later = await until('more trials in the panel', SLOW, async () => {
      const n = await doneCount();
      if (n === -1) return n;
      // The analysis (table rows) follows the count within the debounce interval.
      return n !== undefined && n > first && n >= 2 && (await rows.count()) >= 2 ? n : undefined;
    });
    assert.notEqual(later, -1, tooFast);
    assert.ok(later < 8, `${later} trials done before the cancel`);
    await textMatches('the running state', state, /^Running: \d+ of 8 trials · best error [\d.]+% \([AB]\)$/);
    await until('the live EDF chart', UI, async () => ((await paintedPixels(slowPanel.locator('#edf-chart'))) > 1000 ? true : undefined));
    // The EDFs in view, under the running header (it stays at the top of the panel).
    await slowPanel.locator('#edf-chart').evaluate((e) => (e as unknown as { scrollIntoView(o: unknown): void }).scrollIntoView({ block: 'center' }));
    const live = await screenshot('live-panel');
    if (process.env.DSLAB_UPDATE_DOCS) fs.copyFileSync(live, path.join(ROOT, 'docs', 'results-live.png'));

    // Cancel from the progress notification: the workers stop, the records on disk stay whole.
    const cancel = page.locator('.notifications-toasts .notification-toast', { hasText: 'slow.regnet.yaml' }).locator('a.monaco-button', { hasText: /^Cancel$/ });
    await cancel.click({ timeout: UI });
    await until('the panel to say the sweep was cancelled', SLOW, async () => ((await state.getAttribute('data-phase', { timeout: 2_000 })) === 'cancelled' ? true : undefined));
    const sweep = path.join(workspace, '.dslab', 'slow.regnet');
    const records = filesUnder(sweep).filter((f) => f.startsWith('trials/') && f.endsWith('.json'));
    assert.ok(records.length >= 2 && records.length < 8, `${records.length} records after the cancel`);
    for (const r of records) {
      const record = JSON.parse(fs.readFileSync(path.join(sweep, r), 'utf8')) as { status: string; error: number | null };
      assert.equal(record.status, 'ok', r);
    }
    // Cancelled everywhere: the terminal (the task ends normally, not with an exit code), the status bar.
    const cancelledText = await until('the task terminal to say the sweep was cancelled', UI, async () => {
      const text = await terminalText();
      return /Cancelled: \d+ of 8 trials/.test(text) ? text : undefined;
    });
    assert.doesNotMatch(cancelledText, /exit code/);
    await page.locator('.statusbar-item', { hasText: /dslab cancelled \d+\/8/ }).waitFor({ timeout: UI });
    await screenshot('cancelled');

    // Run it again: the task says how many were done and trains only the rest.
    await page.locator('.monaco-editor .view-lines').first().click();
    await page.locator(LENS, { hasText: /^▶ Sample & Train all$/ }).click();
    const resumed = await until('the resumed sweep’s first line', UI, async () => {
      // The reused terminal may still show the first run's line (0 done): read the last one.
      const m = [...(await terminalText()).matchAll(/Sweep of 8 trials in \S+: (\d+) done, (\d+) to train/g)].at(-1);
      return m && m[1] !== '0' ? [Number(m[1]), Number(m[2])] : undefined;
    });
    assert.ok(resumed[0] >= records.length && resumed[0] + resumed[1] === 8, JSON.stringify(resumed));
    await until('the resumed sweep to finish', SLOW, async () => (/8 of 8 trials done/.test(await terminalText()) ? true : undefined));
    assert.equal(filesUnder(sweep).filter((f) => f.startsWith('trials/')).length, 8);
    await until('the panel to show all 8 trials', UI, async () => ((await rows.count()) === 8 && (await state.getAttribute('data-phase')) === 'done' ? true : undefined));
    await textMatches('the analysis of all 8 trials', slowPanel.locator('h1 + p'), /8 of 8 trials recorded/);
    await screenshot('resumed');

    // Select a trial in the table; hidden behind another tab and shown again, the panel (drawn
    // anew: it keeps no context while hidden) comes back with it selected.
    const row = slowPanel.locator('#trials tbody tr[data-key="B/1"]');
    await row.scrollIntoViewIfNeeded({ timeout: UI });
    await row.click({ timeout: UI });
    const selected = (): Promise<string | null> => slowPanel.locator('#trials tbody tr.selected').getAttribute('data-key', { timeout: 2_000 });
    await until('the row to be selected', UI, async () => ((await selected()) === 'B/1' ? true : undefined));
    await textMatches('the selected trial’s widths', slowPanel.locator('#width-caption'), /^B #1 · /);
    // By keyboard as well: the arrows move the focus from the selected row, Enter selects.
    await row.focus();
    await page.keyboard.press('ArrowDown');
    const focusedRow = slowPanel.locator('#trials tbody tr:focus');
    const byKeyboard = await focusedRow.getAttribute('data-key', { timeout: UI });
    assert.ok(byKeyboard !== null && byKeyboard !== 'B/1', `focus moved to ${byKeyboard}`);
    await page.keyboard.press('Enter');
    await until('the row chosen by keyboard selected', UI, async () => ((await selected()) === byKeyboard ? true : undefined));
    // In a high-contrast theme the focused row shows the theme's focus border (#f38518), the selected one its contrast border.
    type Style = { outlineStyle: string; outlineWidth: string; outlineColor: string };
    const outlineOf = (l: Locator): Promise<string> =>
      l.evaluate((e) => {
        const s = (globalThis as unknown as { getComputedStyle(e: unknown): Style }).getComputedStyle(e);
        return `${s.outlineStyle} ${s.outlineWidth} ${s.outlineColor}`;
      });
    /** Picks a colour theme as a user does: the palette's Preferences: Color Theme. */
    const pickTheme = async (name: string): Promise<void> => {
      await page.keyboard.press('F1');
      await page.locator('.quick-input-widget input').fill('>Preferences: Color Theme');
      await page.locator('.quick-input-list .monaco-list-row', { hasText: /^Preferences: Color Theme/ }).first().click({ timeout: UI });
      await page.locator('.quick-input-widget input').fill(name);
      await page.locator('.quick-input-list .monaco-list-row', { hasText: new RegExp(`^${name}`) }).first().click({ timeout: UI });
    };
    await pickTheme('Dark High Contrast');
    try {
      await until('the panel in high contrast', SLOW, async () => ((await slowPanel.getAttribute('class', { timeout: 2_000 }))?.includes('vscode-high-contrast') ? true : undefined));
      await slowPanel.locator('#trials tbody tr.selected').focus();
      await page.keyboard.press('ArrowUp');
      await until('a visible focus in high contrast', UI, async () => ((await outlineOf(focusedRow)) === 'solid 2px rgb(243, 133, 24)' ? true : undefined));
      assert.match(await outlineOf(slowPanel.locator('#trials tbody tr.selected')), /^solid 1px rgb\(243, 133, 24\)$/);
      await screenshot('high-contrast');
    } finally {
      await pickTheme('Dark Modern');
    }
    await until('the panel back in its theme', SLOW, async () => ((await slowPanel.getAttribute('class', { timeout: 2_000 }))?.includes('vscode-high-contrast') ? undefined : true));
    await page.locator('.tabs-container .tab', { hasText: 'Results: tiny.regnet.yaml' }).click({ timeout: UI });
    await until('the other panel', UI, async () => (/4 of 4 trials recorded/.test((await panelOf('tiny.regnet.yaml').locator('h1 + p').textContent({ timeout: 2_000 })) ?? '') ? true : undefined));
    await page.locator('.tabs-container .tab', { hasText: 'Results: slow.regnet.yaml' }).click({ timeout: UI });
    await until('the panel shown again with the same row selected', UI, async () => ((await selected()) === byKeyboard ? true : undefined));
    await textMatches('the selected trial’s widths', slowPanel.locator('#width-caption'), new RegExp(`^${byKeyboard.replace('/', ' #')} · `));

    // After a window reload the panel comes back by itself (its serializer), with the sweep's results.
    await page.reload();
    await page.waitForSelector('.monaco-workbench', { timeout: SLOW });
    // Which of the two restored panels is in front depends on when the workbench last saved its layout.
    await page.locator('.tabs-container .tab', { hasText: 'Results: slow.regnet.yaml' }).click({ timeout: UI });
    await until('the restored panel', SLOW, async () => (/8 of 8 trials recorded/.test((await slowPanel.locator('h1 + p').textContent({ timeout: 2_000 })) ?? '') ? true : undefined));
    await until('the restored table of 8 trials', UI, async () => ((await slowPanel.locator('#trials tbody tr').count()) === 8 ? true : undefined));
    // With no task of this window running it, the header says what is on disk.
    await textMatches('the restored header', slowPanel.locator('#sweep-state'), /^8 of 8 trials recorded · best error [\d.]+% \([AB]\)$/);
    await screenshot('restored');
  });

  test('the Sweeps view lists the sweeps; a changed file offers a fresh sweep that keeps the old one', async () => {
    const pane = page.locator('.pane', { has: page.locator('.pane-header', { hasText: /Design Space Sweeps/i }) });
    const header = pane.locator('.pane-header');
    await header.waitFor({ timeout: SLOW });
    if ((await header.getAttribute('aria-expanded')) === 'false') await header.click();
    const row = (name: RegExp): Locator => pane.locator('.monaco-list-row', { hasText: name });
    await textMatches('the tiny sweep in the Sweeps view', row(/^tiny\.regnet/), /tiny\.regnet\s*4\/4 · best [\d.]+%/, SLOW);
    await textMatches('the slow sweep in the Sweeps view', row(/^slow\.regnet/), /slow\.regnet\s*8\/8 · best [\d.]+%/);
    await screenshot('sweeps-view');

    // Other settings for a file that has a sweep: Sample & Train offers a fresh sweep, which keeps the old one.
    const file = path.join(workspace, 'tiny.regnet.yaml');
    fs.writeFileSync(file, TINY_SPACE.replace('seed: 0', 'seed: 1'));
    await open('tiny.regnet.yaml');
    // The tiny file's editor (the slow file's may be open in another group), once it shows the change.
    const tiny = page.locator('.monaco-editor', { has: page.locator('.view-lines', { hasText: /name:\stiny/ }) });
    await tiny.locator('.view-lines', { hasText: /seed:\s1,/ }).waitFor({ timeout: UI });
    await tiny.locator('.codelens-decoration a', { hasText: /^▶ Sample & Train all$/ }).click();
    const toast = page.locator('.notifications-toasts .notification-toast', { hasText: /tiny\.regnet\.yaml was made with other settings/ });
    await toast.waitFor({ timeout: SLOW });
    assert.match((await toast.textContent()) ?? '', /sampling\.seed: 0 there, 1 now/);
    const changed = await screenshot('changed-settings');
    if (process.env.DSLAB_UPDATE_DOCS) fs.copyFileSync(changed, path.join(ROOT, 'docs', 'changed-settings.png'));
    await toast.locator('a.monaco-button', { hasText: /^Start a Fresh Sweep$/ }).click();
    const sweeps = path.join(workspace, '.dslab');
    const kept = await until('the old sweep kept beside', SLOW, async () => fs.readdirSync(sweeps).find((n) => /^tiny\.regnet\.\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d$/.test(n)));
    assert.equal(filesUnder(path.join(sweeps, kept)).filter((f) => f.startsWith('trials/')).length, 4);
    await until('the fresh sweep to finish', SLOW, async () => (/4 of 4 trials done/.test(await terminalText()) ? true : undefined));
    assert.equal(JSON.parse(fs.readFileSync(path.join(sweeps, 'tiny.regnet', 'sweep.json'), 'utf8')).resolved.sampling.seed, 1);
    // Both are in the view: the file's current sweep, and the kept one.
    await textMatches('the kept sweep in the Sweeps view', row(new RegExp(`^${kept.replace(/\./g, '\\.')}`)), /4\/4 · best/, SLOW);
    await textMatches('the fresh sweep in the Sweeps view', row(/^tiny\.regnet(?!\.)/), /tiny\.regnet\s*4\/4 · best [\d.]+%/, SLOW);
    const view = await screenshot('fresh-sweep');
    if (process.env.DSLAB_UPDATE_DOCS) fs.copyFileSync(view, path.join(ROOT, 'docs', 'sweeps-view.png'));

    // Sample opens the models as a rendered table (the Markdown preview), not as its source.
    await tiny.locator('.codelens-decoration a', { hasText: /^Sample all$/ }).click();
    await page.locator('.tabs-container .tab', { hasText: /^Preview tiny\.regnet samples\.md/ }).waitFor({ timeout: SLOW });
    await screenshot('sample-preview');
  });

  test('on Slurm: Sample & Train submits the array and follows it; its status is one command away; cancelling asks, then cancels the jobs', { skip: skipUnless(clusterMissing(), 'as root: bash test/slurm/start-cluster.sh') }, async () => {
    await open('cluster.regnet.yaml');
    const editor = page.locator('.monaco-editor', { has: page.locator('.view-lines', { hasText: /name:\scluster/ }) });
    await editor.locator('.codelens-decoration a', { hasText: /^▶ Sample & Train all$/ }).click({ timeout: SLOW });
    const job = await until('the submission in the terminal', SLOW, async () => /Submitted Slurm job (\d+): 3 trials as array 0-2%1/.exec(await terminalText())?.[1]);
    try {
      await until('a task running', SLOW, async () => (/Slurm: 1 running, 2 pending/.test(await terminalText()) ? true : undefined));
      await page.locator('.statusbar-item', { hasText: /dslab 0\/3/ }).waitFor({ timeout: UI });

      // Show Sweep Status, from the palette with the space file active: dslab status beside it.
      await editor.locator('.view-lines').first().click();
      await page.keyboard.press('F1');
      await page.locator('.quick-input-widget input').fill('>Design Space Lab: Show Sweep Status');
      await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Show Sweep Status' }).first().click({ timeout: UI });
      const status = page.locator('.monaco-editor', { has: page.locator('.view-lines', { hasText: /3\strials:\s0\sdone,\s1\srunning,\s2\spending/ }) });
      await status.waitFor({ timeout: SLOW });
      await page.locator('.tabs-container .tab', { hasText: 'cluster.regnet status' }).waitFor({ timeout: UI });
      const statusShot = await screenshot('slurm-status');
      if (process.env.DSLAB_UPDATE_DOCS) fs.copyFileSync(statusShot, path.join(ROOT, 'docs', 'slurm-status.png'));

      // Cancel from the notification: asked whether the jobs go too; they do, and the records stay.
      const cancel = page.locator('.notifications-toasts .notification-toast', { hasText: 'cluster.regnet.yaml' }).locator('a.monaco-button', { hasText: /^Cancel$/ });
      await cancel.click({ timeout: UI });
      const dialog = page.locator('.monaco-dialog-box', { hasText: /keep running when the task stops\. Cancel them too\?/ });
      await dialog.waitFor({ timeout: UI });
      await screenshot('slurm-cancel-question');
      await dialog.locator('.monaco-button', { hasText: /^Cancel Jobs$/ }).click();
      const text = await until('the jobs cancelled', SLOW, async () => {
        const t = await terminalText();
        return new RegExp(`Cancelled Slurm job ${job}: 1 running task, 2 waiting tasks`).test(t) && /Cancelled: 0 of 3 trials/.test(t) ? t : undefined;
      });
      assert.doesNotMatch(text, /exit code/);
      const queue = spawnSync('squeue', ['-h', '-j', job], { encoding: 'utf8' });
      assert.equal(queue.stdout.trim(), '', `job ${job} still queued or running: ${queue.stdout}`);
      await page.locator('.statusbar-item', { hasText: /dslab cancelled 0\/3/ }).waitFor({ timeout: UI });
    } finally {
      // Whatever happened, the test's jobs do not outlive it.
      spawnSync('scancel', [job]);
    }
  });

  test('a collected pycls sweep opened in the editor is offered for analysis; the import opens in the Results panel and the Sweeps view', async () => {
    await open('cifar_regnet.json');
    const toast = page.locator('.notifications-toasts .notification-toast', { hasText: /cifar_regnet\.json is a collected pycls sweep/ });
    await toast.waitFor({ timeout: SLOW });
    await toast.locator('a.monaco-button', { hasText: /^Analyze in Design Space Lab$/ }).click();
    const results = panelOf('cifar_regnet');
    await textMatches('the imported sweep in the Results panel', results.locator('h1 + p'), /: 15 of 17 trials recorded$/, SLOW);
    assert.equal(JSON.parse(fs.readFileSync(path.join(workspace, '.dslab', 'cifar_regnet', 'sweep.json'), 'utf8')).imported.format, 'pycls');
    await until('the imported EDF chart to be drawn', UI, async () => ((await paintedPixels(results.locator('#edf-chart'))) > 1000 ? true : undefined));
    const pane = page.locator('.pane', { has: page.locator('.pane-header', { hasText: /Design Space Sweeps/i }) });
    await textMatches('the import in the Sweeps view', pane.locator('.monaco-list-row', { hasText: /^cifar_regnet/ }), /cifar_regnet\s*15\/17 · best [\d.]+%/, SLOW);
    await screenshot('import');
  });
});
