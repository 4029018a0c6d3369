/** Facts about the model skeleton a space file sets up: downsampling of stems, default strides. */
import type { StemType } from '../model';

/** Downsampling of each stem: cifar 3×3 s1; imagenet 3×3 s2; resnet 7×7 s2 then a 3×3 s2 max-pool. */
export const STEM_STRIDE: Readonly<Record<StemType, number>> = { cifar: 1, imagenet: 2, resnet: 4 };

/**
 * Default per-stage strides: the first stage keeps the resolution after a cifar stem (which has
 * not downsampled), every other stage halves it.
 */
export function defaultStrides(stages: number, stem: StemType): number[] {
  return Array.from({ length: stages }, (_, i) => (i === 0 && stem === 'cifar' ? 1 : 2));
}
