import { Readable } from 'node:stream';
import archiver from 'archiver';
import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../deps.ts';
import { findBatch, succeededWithResults } from '../store/batches.ts';
import { requireUser } from './auth.ts';

const FETCH_TIMEOUT_MS = 120_000;

function csvCell(v: string | number): string {
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function extensionOf(url: string): string {
  const m = /\.([a-z0-9]{2,4})(?:$|\?)/i.exec(new URL(url).pathname);
  return m ? m[1]!.toLowerCase() : 'mp4';
}

/**
 * `GET /batches/:id/download.zip`: the batch's finished videos as a streamed ZIP (with a manifest.csv). Videos are
 * fetched one at a time and piped straight into the archive, so memory stays flat whatever the batch size.
 * A video that cannot be fetched becomes a small `.error.txt` entry instead of failing the whole download.
 */
export function registerZipRoute(app: FastifyInstance, deps: AppDeps, fetchImpl: typeof fetch = fetch): void {
  app.get<{ Params: { id: string } }>('/batches/:id/download.zip', async (req, reply) => {
    const user = await requireUser(deps, req, reply);
    if (!user) return reply;
    const batch = await findBatch(deps.db, user.id, req.params.id);
    if (!batch) return reply.code(404).send({ error: 'NOT_FOUND', message: `batch ${req.params.id} not found` });
    const tasks = await succeededWithResults(deps.db, batch.id);

    const archive = archiver('zip', { zlib: { level: 0 } }); // videos are already compressed
    archive.on('warning', (err) => req.log.warn(err));
    const abort = new AbortController();
    req.raw.on('close', () => abort.abort());
    void (async () => {
      const manifest = ['row,task_id,file,url,prompt'];
      for (const task of tasks) {
        const urls = task.result_urls ? (JSON.parse(task.result_urls) as string[]) : [];
        for (const [i, url] of urls.entries()) {
          if (abort.signal.aborted) break;
          const base = `row-${String(task.row_index + 1).padStart(5, '0')}${urls.length > 1 ? `-${i + 1}` : ''}`;
          const name = await appendRemote(archive, fetchImpl, url, base, abort.signal);
          manifest.push([task.row_index + 1, task.id, name, url, task.prompt].map(csvCell).join(','));
        }
      }
      archive.append(manifest.join('\n') + '\n', { name: 'manifest.csv' });
      await archive.finalize();
    })().catch((err) => {
      req.log.error(err);
      archive.abort();
    });

    const filename = `${batch.name.replace(/[^\w.-]+/g, '_').slice(0, 60) || 'batch'}.zip`;
    return reply.header('content-type', 'application/zip').header('content-disposition', `attachment; filename="${filename}"`).send(archive);
  });
}

/** Appends one remote file and waits until the archive has consumed it (one download at a time). */
async function appendRemote(archive: archiver.Archiver, fetchImpl: typeof fetch, url: string, base: string, signal: AbortSignal): Promise<string> {
  try {
    const res = await fetchImpl(url, { signal: AbortSignal.any([signal, AbortSignal.timeout(FETCH_TIMEOUT_MS)]) });
    if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
    const name = `${base}.${extensionOf(url)}`;
    const entryDone = new Promise<void>((resolve) => archive.once('entry', () => resolve()));
    archive.append(Readable.fromWeb(res.body as import('node:stream/web').ReadableStream), { name });
    await entryDone;
    return name;
  } catch (err) {
    const name = `${base}.error.txt`;
    archive.append(`could not download ${url}: ${(err as Error).message}\n`, { name });
    return name;
  }
}
