/** The one error the dataset loaders throw: the message names the file or folder and what is wrong with it. */
export class DatasetError extends Error {
  override name = 'DatasetError';
}
