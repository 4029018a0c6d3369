// The overviews the status bar and the Sweeps view show: read again only when the sweep changed.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { SweepOverviews } from '../../src/extension/sweepOverviews';

const FIXTURE = path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'sweeps', 'three-spaces');

describe('sweep overviews', () => {
  test('counts and best error of a sweep; the same answer until a record comes or goes', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dslab-overview-'));
    fs.cpSync(FIXTURE, dir, { recursive: true });
    const overviews = new SweepOverviews();
    const first = overviews.read(dir);
    assert.ok('overview' in first);
    const { recorded, planned, best } = first.overview;
    assert.ok(recorded > 0 && recorded <= planned && best !== null);
    assert.equal(overviews.read(dir), first, 'unchanged: the cached answer');

    // A record removed (its space's folder changes): read again.
    const space = fs.readdirSync(path.join(dir, 'trials'))[0];
    const record = fs.readdirSync(path.join(dir, 'trials', space)).find((f) => f.endsWith('.json'))!;
    fs.rmSync(path.join(dir, 'trials', space, record));
    const second = overviews.read(dir);
    assert.ok('overview' in second && second.overview.recorded === recorded - 1);

    fs.rmSync(dir, { recursive: true, force: true });
    assert.ok('problem' in overviews.read(dir));
  });
});
