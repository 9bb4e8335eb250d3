import { ENGINE_CODES, type EngineClock, type KieGateway } from '@clipfleet/engine';
import { describeStorageError } from '../store/durable.ts';
import type { Db } from '../db/database.ts';
import { imagesOf } from '../store/images.ts';
import type { FleetWriter } from './writer.ts';
import type { InFlightByUser } from '../cluster/in-flight.ts';

/**
 * Wraps the KIE gateway so persistence order never depends on event handlers: the attempt (with its KIE account,
 * where the job will be queried) is durable before
 * createTask is called and the remote id is durable before the engine learns it. After a crash, a task with a
 * remote id is polled, never resubmitted. Both records wait while the store cannot be written (the writer retries
 * them), so nothing is sent unrecorded and no remote id is acknowledged unstored. It also loads the prompt (the
 * engine keeps prompts out of memory) and counts provider calls. Like every gateway it never throws: failures are
 * results, and a storage failure is reported as one (code 1002), never as the provider's.
 */
export function persistingGateway(
  inner: KieGateway,
  deps: { db: Db; writer: FleetWriter; clock: EngineClock; creating: InFlightByUser },
): KieGateway {
  const { db, writer, clock, creating } = deps;
  return {
    // Counted from before the attempt is recorded until the remote id is: the user cannot move meanwhile.
    createTask: (req) => creating.track(req.task.userId, () => create(req)),
    async getTask(remoteTaskId, spec, accountId) {
      const result = await inner.getTask(remoteTaskId, spec, accountId);
      writer.countCall('getTask', result.ok ? result.status.state : String(result.error.code));
      return result;
    },
  };

  async function create(req: Parameters<KieGateway['createTask']>[0]): ReturnType<KieGateway['createTask']> {
    const taskId = req.task.taskId;
    let row;
    try {
      row = await db.selectFrom('tasks').select(['prompt', 'aspect_ratio', 'image_url', 'last_frame_url']).where('id', '=', taskId).executeTakeFirst();
      await writer.recordAttempt(req.task.userId, taskId, req.attempt, req.accountId, clock.now());
    } catch (err) {
      return { ok: false, error: { code: ENGINE_CODES.storageUnavailable, message: `not sent: could not record the attempt (${describeStorageError(err)})` } };
    }
    if (!row) return { ok: false, error: { code: 400, message: `not sent: task ${taskId} is not in the database` } };
    const task = {
      ...req.task,
      prompt: req.task.prompt ?? row.prompt,
      ...(row.aspect_ratio ? { aspectRatio: row.aspect_ratio } : {}),
      ...imagesOf(row),
    };
    const result = await inner.createTask({ ...req, task });
    writer.countCall('createTask', result.ok ? 'ok' : String(result.error.code));
    if (result.ok) {
      try {
        await writer.recordRemoteId(req.task.userId, taskId, req.attempt, result.remoteTaskId, clock.now());
      } catch (err) {
        // Only a write that can never succeed gets here (the writer retries the others until they do).
        console.error(`could not record remote id ${result.remoteTaskId} of task ${taskId}: ${describeStorageError(err)}`);
      }
    }
    return result;
  }
}
