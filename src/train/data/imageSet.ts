/** A set of images in memory, as the loaders produce and the trainer consumes them. */
export interface ImageSet {
  /** count × height × width × channels (NHWC), normalized. */
  images: Float32Array;
  labels: Uint8Array;
  count: number;
  height: number;
  width: number;
  channels: number;
  classes: number;
}
