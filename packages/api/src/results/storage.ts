import type { Readable } from 'node:stream';

/**
 * Where archived result files live. The local-disk adapter is the default; an S3-compatible one (put = a
 * streamed multipart upload, get = a GetObject body stream, delete = DeleteObject) fits the same three calls.
 */
export interface ResultStorage {
  /** Stores the stream under `key`; past `maxBytes` it rejects with FileTooLarge and keeps nothing. */
  put(key: string, body: Readable, opts: { maxBytes: number }): Promise<{ bytes: number }>;
  /** The stored file, or undefined when there is none. */
  get(key: string): Promise<{ body: Readable; bytes: number } | undefined>;
  delete(key: string): Promise<void>;
}

export class FileTooLarge extends Error {
  override name = 'FileTooLarge';
  constructor(readonly maxBytes: number) {
    super(`file larger than the ${maxBytes}-byte limit`);
  }
}
