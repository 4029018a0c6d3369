/**
 * pure-rand 8 publishes its modules only through package.json "exports" subpaths, which the
 * project's `node10` module resolution does not read; Node itself resolves them at run time.
 * These declarations point the subpaths at the package's own type files.
 */
declare module 'pure-rand/generator/xoroshiro128plus' {
  export * from 'pure-rand/lib/generator/xoroshiro128plus';
}
declare module 'pure-rand/distribution/uniformFloat64' {
  export * from 'pure-rand/lib/distribution/uniformFloat64';
}
declare module 'pure-rand/distribution/uniformInt' {
  export * from 'pure-rand/lib/distribution/uniformInt';
}
