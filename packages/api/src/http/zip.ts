import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../deps.ts';
import { notFound } from '../errors.ts';
import { findBatch, succeededWithResults } from '../store/batches.ts';
import { requireUser } from './auth.ts';
import { fileNote, resultFilesOf } from './result-files.ts';

/** archiver (and its zip stack) costs a few hundred ms of CPU to load: loaded with the first ZIP, not at start. */
let archiverModule: Promise<typeof import('archiver')> | undefined;
const loadArchiver = () => (archiverModule ??= import('archiver').then((m) => m.default));

function csvCell(v: string | number): string {
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * `GET /batches/:id/download.zip`: the batch's finished videos as a streamed ZIP (with a manifest.csv), read from
 * ClipFleet's own archive (KIE's URLs expire; nothing is fetched from a stored URL here). Files are streamed one
 * at a time, so memory stays flat whatever the batch size. A file that is not in the archive (not yet, failed
 * or past retention) becomes a small `.error.txt` entry saying why.
 */
export function registerZipRoute(app: FastifyInstance, deps: AppDeps): void {
  app.get<{ Params: { id: string } }>('/batches/:id/download.zip', async (req, reply) => {
    const user = await requireUser(deps, req, { link: 'download' });
    const batch = await findBatch(deps.db, user.id, req.params.id);
    if (!batch) throw notFound(`batch ${req.params.id} not found`);
    const tasks = await succeededWithResults(deps.db, batch.id);
    const files = await resultFilesOf(deps.db, tasks.map((t) => t.id));

    const archiver = await loadArchiver();
    const archive = archiver('zip', { zlib: { level: 0 } }); // videos are already compressed
    archive.on('warning', (err) => req.log.warn(err));
    let aborted = false;
    req.raw.on('close', () => (aborted = true));
    void (async () => {
      const manifest = ['row,task_id,file,url,prompt'];
      for (const task of tasks) {
        const urls = task.result_urls ? (JSON.parse(task.result_urls) as string[]) : [];
        for (const [i, url] of urls.entries()) {
          if (aborted) break;
          const base = `row-${String(task.row_index + 1).padStart(5, '0')}${urls.length > 1 ? `-${i + 1}` : ''}`;
          const file = files.get(`${task.id}#${i}`);
          const stored = file?.state === 'archived' && file.storage_key ? await deps.archive.storage.get(file.storage_key) : undefined;
          let name: string;
          if (stored) {
            name = `${base}.${file!.storage_key!.split('.').pop()}`;
            const entryDone = new Promise<void>((resolve) => archive.once('entry', () => resolve()));
            archive.append(stored.body, { name });
            await entryDone;
          } else {
            name = `${base}.error.txt`;
            archive.append(`${fileNote(file)}\n`, { name });
          }
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
