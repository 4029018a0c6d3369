/**
 * Loading a tfjs package next to ours makes tfjs warn that kernels and backends are "already
 * registered": expected when two packages share one engine, and noise for our users.
 */

/** Runs `f` with console warnings matching `noise` dropped (others still printed). */
export function withoutWarnings<T>(noise: RegExp, f: () => T): T {
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (!noise.test(args.map(String).join(' '))) warn(...args);
  };
  try {
    return f();
  } finally {
    console.warn = warn;
  }
}
