/**
 * Whether a sweep directory is plainly on storage only this machine sees: the tasks of a job
 * array may run on other nodes, and write their records into the same directory. A single-node
 * cluster is fine with /tmp, so this is a warning, never a refusal.
 */

/** Folders that are node-local on every cluster we know. */
const LOCAL_ROOTS = ['/tmp', '/var/tmp', '/dev/shm', '/run'];
/** statfs f_type of memory filesystems (tmpfs, ramfs): never shared. */
const MEMORY_FS: Record<number, string> = { 0x01021994: 'tmpfs', 0x858458f6: 'ramfs' };

/** Why `absDir` is plainly node-local ("it is under /tmp"), or undefined when nothing says so. */
export function nodeLocalReason(absDir: string, fsType?: number): string | undefined {
  const root = LOCAL_ROOTS.find((r) => absDir === r || absDir.startsWith(`${r}/`));
  if (root) return `it is under ${root}`;
  if (fsType !== undefined && MEMORY_FS[fsType]) return `it is on ${MEMORY_FS[fsType]}, in this machine's memory`;
  return undefined;
}
