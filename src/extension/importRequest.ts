/**
 * An import in the editor, done in a worker thread (importWorker.ts): `dslab import`'s
 * importFile, its progress posted to the host, stopped cleanly when the host raises the cancel
 * flag (a half-written folder is removed, an earlier import left as it was).
 */
import { importFile, ImportCancelled, type ImportProgress } from '../core/interop/importFile';
import type { ImportFormat, SweepManifest } from '../core/results/records';

export interface ImportRequest {
  file: string;
  format: ImportFormat;
  /** The sweep's (and its space's) name. */
  name: string;
  /** The sweep directory to write. */
  out: string;
  tool: SweepManifest['tool'];
  /** One Int32: the host sets it to 1 to cancel. */
  cancel: SharedArrayBuffer;
}

/** What the import made, in counts. */
export interface ImportSummary {
  out: string;
  entries: number;
  recorded: number;
  /** Jobs without a finished test epoch (no record). */
  unfinished: number;
  /** Models kept with their complexity and error only (not AnyNets or RegNets). */
  foreign: number;
}

export type ImportResponse = { imported: ImportSummary } | { error: string } | { cancelled: true };

export function runImportRequest(request: ImportRequest, onProgress: (progress: ImportProgress) => void): ImportResponse {
  const flag = new Int32Array(request.cancel);
  try {
    const { out, jobs, sweep } = importFile(request.file, request.format, { name: request.name, out: request.out, tool: request.tool, onProgress, isCancelled: () => Atomics.load(flag, 0) !== 0 });
    return {
      imported: {
        out,
        entries: jobs.length,
        recorded: sweep.records.length,
        unfinished: sweep.manifest.imported?.unfinished.length ?? 0,
        foreign: jobs.filter((j) => j.model === undefined).length,
      },
    };
  } catch (err) {
    if (err instanceof ImportCancelled) return { cancelled: true };
    return { error: (err as Error).message };
  }
}
