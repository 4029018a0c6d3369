/**
 * Tests that need what .ci/run installs (Chromium, code-server, a Vulkan driver, clang-19) skip
 * on a machine without it, printing what is missing and how to install it, so that a newcomer's
 * `npm test` passes with Node alone. Where they must run — in CI (CI=true) or with
 * DSLAB_REQUIRE_ALL=1 — a missing requirement fails the test file instead of skipping it.
 */
import * as fs from 'node:fs';

/** Whether every test must run here. */
export const REQUIRE_ALL = process.env.CI === 'true' || process.env.DSLAB_REQUIRE_ALL === '1';

/**
 * The `skip` option of a test that needs something: false when it is there; the reason and the
 * install command when it is missing (or a thrown error, when every test must run).
 */
export function skipUnless(missing: string | undefined, install: string): string | false {
  if (missing === undefined) return false;
  const reason = `${missing} (${install})`;
  if (REQUIRE_ALL) throw new Error(`${reason}: required because ${process.env.CI === 'true' ? 'CI=true' : 'DSLAB_REQUIRE_ALL=1'}`);
  return reason;
}

/** Why an executable is missing, or undefined when `file` exists. */
export function missingFile(file: string, what: string): string | undefined {
  return fs.existsSync(file) ? undefined : `no ${what} at ${file}`;
}
