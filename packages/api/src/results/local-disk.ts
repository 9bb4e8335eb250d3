import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { FileTooLarge, type ResultStorage } from './storage.ts';

/** Result files under a folder of the data directory. Writes go to a temporary name and are renamed when complete. */
export class LocalDiskStorage implements ResultStorage {
  private readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  async put(key: string, body: Readable, opts: { maxBytes: number }): Promise<{ bytes: number }> {
    const path = this.pathOf(key);
    await mkdir(dirname(path), { recursive: true });
    const partial = `${path}.partial`;
    let bytes = 0;
    const limit = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        bytes += chunk.length;
        done(bytes > opts.maxBytes ? new FileTooLarge(opts.maxBytes) : null, chunk);
      },
    });
    try {
      await pipeline(body, limit, createWriteStream(partial));
      await rename(partial, path);
      return { bytes };
    } catch (err) {
      await rm(partial, { force: true });
      throw err;
    }
  }

  async get(key: string): Promise<{ body: Readable; bytes: number } | undefined> {
    const path = this.pathOf(key);
    try {
      const info = await stat(path);
      return { body: createReadStream(path), bytes: info.size };
    } catch {
      return undefined;
    }
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }

  /** Keys are ClipFleet's own (`<task id>/<n>.<ext>`); anything that would leave the root is refused. */
  private pathOf(key: string): string {
    const path = resolve(join(this.root, key));
    if (!path.startsWith(this.root + sep)) throw new Error(`invalid storage key ${JSON.stringify(key)}`);
    return path;
  }
}
