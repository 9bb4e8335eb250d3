import type { FastifyInstance } from 'fastify';
import type { Db } from '../db/database.ts';
import type { ResultFilesTable } from '../db/types.ts';
import type { AppDeps } from '../deps.ts';
import { notFound } from '../errors.ts';
import { shapedChunks } from '../store/executor.ts';
import { requireUser } from './auth.ts';

type FileRow = Pick<ResultFilesTable, 'task_id' | 'idx' | 'state' | 'storage_key' | 'bytes' | 'content_type' | 'error'>;

/** The archive rows of these tasks, by `taskId#index`. */
export async function resultFilesOf(db: Db, taskIds: string[]): Promise<Map<string, FileRow>> {
  const out = new Map<string, FileRow>();
  for (const part of shapedChunks(taskIds, 256)) {
    const rows = await db
      .selectFrom('result_files')
      .select(['task_id', 'idx', 'state', 'storage_key', 'bytes', 'content_type', 'error'])
      .where('task_id', 'in', part)
      .execute();
    for (const r of rows) out.set(`${r.task_id}#${r.idx}`, r);
  }
  return out;
}

/** Why a file is not in the archive, for the ZIP's error entries and the file route's 404. */
export function fileNote(file: FileRow | undefined): string {
  if (!file) return 'not archived yet: try again in a moment';
  if (file.state === 'expired') return 'deleted from the archive after the retention period';
  if (file.state === 'failed') return `could not be archived: ${file.error ?? 'unknown error'}`;
  return 'missing from the archive';
}

/**
 * `GET /tasks/:taskId/files/:index`: one archived result file of the caller's task, streamed from the archive
 * (Bearer key, or `?token=` with a download token).
 */
export function registerResultFileRoute(app: FastifyInstance, deps: AppDeps): void {
  app.get<{ Params: { taskId: string; index: string } }>('/tasks/:taskId/files/:index', async (req, reply) => {
    const user = await requireUser(deps, req, { link: 'download' });
    const index = /^\d{1,3}$/.test(req.params.index) ? Number(req.params.index) : -1;
    const task = await deps.db.selectFrom('tasks').select(['id', 'row_index']).where('id', '=', req.params.taskId).where('user_id', '=', user.id).executeTakeFirst();
    if (!task || index < 0) throw notFound(`task ${req.params.taskId} has no file ${req.params.index}`);
    const file = (await resultFilesOf(deps.db, [task.id])).get(`${task.id}#${index}`);
    const stored = file?.state === 'archived' && file.storage_key ? await deps.archive.storage.get(file.storage_key) : undefined;
    if (!stored) throw notFound(`task ${task.id} file ${index}: ${fileNote(file)}`);
    const ext = file!.storage_key!.split('.').pop();
    return reply
      .header('content-type', file!.content_type ?? 'application/octet-stream')
      .header('content-length', String(stored.bytes))
      .header('content-disposition', `attachment; filename="row-${String(task.row_index + 1).padStart(5, '0')}-${index + 1}.${ext}"`)
      .send(stored.body);
  });
}
