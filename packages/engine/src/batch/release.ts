import type { TaskRecord } from './records.ts';
import type { Registry } from './registry.ts';
import type { TaskRuntimeHost } from './taskRuntime.ts';

/**
 * Forgets a user's work without a word: their task machines stop (a call in flight is answered to no one), their
 * tasks, batches and routes leave the registry, and no event is published. A host calls it when it no longer owns
 * the user (a lost lease): the new owner rebuilds the user's batches from what is stored, as after a crash.
 * Returns the batches dropped.
 */
export function releaseUser(registry: Registry, tasks: TaskRuntimeHost, forget: (record: TaskRecord) => void, userId: string): string[] {
  const user = registry.users.get(userId);
  const dropped: string[] = [];
  for (const [batchId, batch] of registry.batches) {
    if (batch.userId !== userId) continue;
    for (const taskId of batch.taskIds) {
      const record = registry.tasks.get(taskId);
      if (!record) continue;
      if (user) tasks.release(record, user);
      else tasks.stop(record);
      forget(record);
      registry.unroute(record);
      registry.tasks.delete(taskId);
    }
    registry.batches.delete(batchId);
    dropped.push(batchId);
  }
  registry.users.delete(userId);
  registry.usersWithWork.remove(userId);
  return dropped;
}
