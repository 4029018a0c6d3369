/** What the model sees of each dataset: image shape, classes and how many images there are. */
import type { DatasetName } from './types';

export interface DatasetShape {
  channels: number;
  /** Height = width, in pixels. */
  resolution: number;
  classes: number;
}

export interface DatasetFacts extends DatasetShape {
  /** Images in the full training / test split (undefined: as many as asked for). */
  trainImages?: number;
  testImages?: number;
}

/** The built-in datasets; `synthetic` has its shape in the space file (these are its defaults). */
export const DATASETS: Readonly<Record<DatasetName, DatasetFacts>> = {
  'fashion-mnist': { channels: 1, resolution: 28, classes: 10, trainImages: 60000, testImages: 10000 },
  mnist: { channels: 1, resolution: 28, classes: 10, trainImages: 60000, testImages: 10000 },
  cifar10: { channels: 3, resolution: 32, classes: 10, trainImages: 50000, testImages: 10000 },
  synthetic: { channels: 3, resolution: 32, classes: 10 },
};

export const DATASET_NAMES = Object.keys(DATASETS) as DatasetName[];

/** Keys under `dataset` that only a synthetic dataset takes (the others have a fixed shape). */
export const SYNTHETIC_SHAPE_KEYS: readonly (keyof DatasetShape)[] = ['channels', 'resolution', 'classes'];

/**
 * The dataset a `dataset` section names (fashion-mnist when absent) and the image shape it
 * gives; undefined when the section is not usable (the schema says why).
 */
export function datasetOf(section: unknown): { name: DatasetName; shape: DatasetShape } | undefined {
  if (section !== undefined && (typeof section !== 'object' || section === null || Array.isArray(section))) return undefined;
  const written = (section as Record<string, unknown> | undefined)?.name;
  const name = (written === undefined ? 'fashion-mnist' : written) as DatasetName;
  if (!DATASET_NAMES.includes(name)) return undefined;
  const facts = DATASETS[name];
  const shape: DatasetShape = { channels: facts.channels, resolution: facts.resolution, classes: facts.classes };
  if (name === 'synthetic') {
    for (const key of SYNTHETIC_SHAPE_KEYS) {
      const v = (section as Record<string, unknown> | undefined)?.[key];
      if (v === undefined) continue;
      if (!Number.isInteger(v)) return undefined;
      shape[key] = v as number;
    }
  }
  return { name, shape };
}
