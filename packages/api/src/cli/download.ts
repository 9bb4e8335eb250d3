import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import cliProgress from 'cli-progress';
import { CliError, EXIT } from './errors.ts';
import type { Connection } from './env.ts';

export interface Downloaded {
  batchId: string;
  file: string;
  bytes: number;
}

/** The archive's file name from Content-Disposition, made safe for the local disk. */
export function archiveName(disposition: string | null, batchId: string): string {
  const m = disposition ? /filename="?([^";]+)"?/i.exec(disposition) : null;
  const name = (m?.[1] ?? `${batchId}.zip`).replace(/[^\w.-]+/g, '_').replace(/^\.+/, '');
  return name.endsWith('.zip') ? name : `${name || batchId}.zip`;
}

/**
 * Downloads a batch's ZIP (its finished videos and manifest.csv) into `dir`, with the key in the Authorization
 * header (never in the URL). The bytes stream straight to a `.part` file, renamed when complete. The progress bar
 * (stderr) fills against Content-Length when the server sends one; a streamed archive has none, so the bar then
 * counts bytes and speed.
 */
export async function downloadBatch(conn: Connection, batchId: string, dir: string, opts: { bars: boolean }): Promise<Downloaded> {
  await conn.client.batch.get.query({ batchId }); // NOT_FOUND is bad input, before anything is written
  const res = await fetch(`${conn.url}/batches/${encodeURIComponent(batchId)}/download.zip`, { headers: { authorization: `Bearer ${conn.key}` } });
  if (!res.ok || !res.body) {
    const text = await res.text().catch(() => '');
    const message = safeMessage(text) ?? `HTTP ${res.status}`;
    throw new CliError(`download of batch ${batchId} failed: ${message}`, res.status === 404 || res.status === 400 ? EXIT.badInput : EXIT.unavailable);
  }
  await mkdir(dir, { recursive: true });
  const file = join(dir, archiveName(res.headers.get('content-disposition'), batchId));
  const part = `${file}.part`;
  const total = Number(res.headers.get('content-length') ?? 0);
  const bar = opts.bars
    ? new cliProgress.SingleBar(
        {
          stream: process.stderr,
          format: total > 0 ? '{file} |{bar}| {percentage}% {received} of {size} | {speed}' : '{file} {received} | {speed}',
          barsize: 30,
          hideCursor: true,
          noTTYOutput: true,
          notTTYSchedule: 2000,
        },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  const started = Date.now();
  let bytes = 0;
  const payload = () => ({ file: archiveName(res.headers.get('content-disposition'), batchId), received: mb(bytes), size: mb(total), speed: `${mb(bytes / Math.max(0.001, (Date.now() - started) / 1000))}/s` });
  bar?.start(total > 0 ? total : 1, 0, payload());
  const meter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      bar?.update(total > 0 ? bytes : 0, payload());
      done(null, chunk);
    },
  });
  try {
    await pipeline(Readable.fromWeb(res.body as WebReadableStream<Uint8Array>), meter, createWriteStream(part));
    await rename(part, file);
  } catch (err) {
    await rm(part, { force: true });
    throw new CliError(`download of batch ${batchId} was interrupted: ${(err as Error).message}`, EXIT.unavailable);
  } finally {
    if (bar) {
      bar.update(total > 0 ? total : 1, payload());
      bar.stop();
    }
  }
  return { batchId, file, bytes };
}

function mb(n: number): string {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : `${(n / 1024).toFixed(1)} kB`;
}

function safeMessage(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { message?: unknown };
    return typeof parsed.message === 'string' ? parsed.message : undefined;
  } catch {
    return undefined;
  }
}
