/**
 * The analysis of a generated pycls sweep of any size (bench/pyclsSweepGenerator.ts), imported
 * and analyzed in memory as `dslab import pycls` and `dslab analyze` would on disk: the large
 * sweeps the Results panel's tests draw.
 */
import { analyzeSweep, type SweepAnalysis } from '../src/core/analysis/sweepAnalysis';
import { buildImportedSweep } from '../src/core/interop/importedSweep';
import { complexityOf } from '../src/core/interop/pyclsConfig';
import { readPyclsSweep } from '../src/core/interop/pyclsSweep';
import { generatePyclsSweep } from '../bench/pyclsSweepGenerator';

export function generatedAnalysis(models: number, epochs = 2): SweepAnalysis {
  const source = 'generated/sweep.json';
  const { jobs, recipe } = readPyclsSweep(generatePyclsSweep({ jobs: models, epochs, seed: 1 }), source);
  const sweep = buildImportedSweep(jobs, complexityOf, { format: 'pycls', source, name: 'generated', tool: { name: 'test', version: '0' }, collectedAt: '2024-01-01T00:00:00.000Z', recipe });
  return analyzeSweep({ dir: 'generated', manifest: sweep.manifest, records: sweep.records, unusable: [] });
}
