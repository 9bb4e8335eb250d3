import type { EngineEventBody } from '../events.ts';
import { isTerminal } from '../task/types.ts';
import type { Endings } from './endings.ts';
import type { TaskRecord } from './records.ts';
import type { Registry } from './registry.ts';
import type { TaskRuntimeHost } from './taskRuntime.ts';

export interface CommandsOptions {
  registry: Registry;
  tasks: TaskRuntimeHost;
  endings: Endings;
  publish: (body: EngineEventBody) => void;
  /** Admits what the command made room or work for. */
  pump: () => void;
}

/**
 * A user's commands on batches and tasks: pause, resume, cancel, and retry of the failed. A task with a machine
 * is told (its machine decides, e.g. a create in flight is waited for); one without is changed here.
 */
export class Commands {
  constructor(private readonly options: CommandsOptions) {}

  pauseBatch(batchId: string): void {
    const { registry, tasks, publish } = this.options;
    const batch = registry.batches.get(batchId);
    if (!batch || batch.paused || batch.open === 0) return;
    batch.paused = true;
    publish({ type: 'batch.paused', batchId, userId: batch.userId });
    // Tasks already at KIE run on (they are paid for); those waiting for a slot or a retry stop.
    for (const id of batch.taskIds) tasks.send(registry.record(id), { type: 'PAUSE' });
  }

  resumeBatch(batchId: string): void {
    const { registry, publish } = this.options;
    const batch = registry.batches.get(batchId);
    if (!batch || !batch.paused) return;
    batch.paused = false;
    publish({ type: 'batch.resumed', batchId, userId: batch.userId });
    for (const id of batch.taskIds) {
      const record = registry.record(id);
      if (record.facts.state === 'paused') this.resume(record);
    }
    this.options.pump();
  }

  cancelBatch(batchId: string): void {
    const { registry, publish } = this.options;
    const batch = registry.batches.get(batchId);
    if (!batch || batch.open === 0) return;
    // One step: ending a running task frees capacity and pumps, so the batch must stop admitting first.
    if (!batch.cancelled) {
      batch.cancelled = true;
      publish({ type: 'batch.cancelled', batchId, userId: batch.userId });
    }
    for (const id of batch.taskIds) this.cancel(registry.record(id));
    this.options.pump();
  }

  /** Re-queues the batch's failed and timed-out tasks with a fresh retry budget; returns their ids. */
  retryFailed(batchId: string): string[] {
    const { registry, publish } = this.options;
    const batch = registry.batches.get(batchId);
    if (!batch || batch.cancelled) return [];
    const retried: string[] = [];
    for (const id of batch.taskIds) {
      const record = registry.record(id);
      if (record.facts.state !== 'failed' && record.facts.state !== 'timedOut') continue;
      batch.open++;
      const { spec } = record.facts;
      publish({ type: 'task.requeued', taskId: spec.taskId, batchId: spec.batchId, userId: spec.userId });
      registry.requeue(record);
      retried.push(id);
    }
    this.options.pump();
    return retried;
  }

  cancelTask(taskId: string): void {
    const record = this.options.registry.tasks.get(taskId);
    if (record) this.cancel(record);
    this.options.pump();
  }

  pauseTask(taskId: string): void {
    const record = this.options.registry.tasks.get(taskId);
    if (!record) return;
    if (record.live) this.options.tasks.send(record, { type: 'PAUSE' });
    else if (record.facts.state === 'queued') this.park(record);
  }

  resumeTask(taskId: string): void {
    const record = this.options.registry.tasks.get(taskId);
    if (record?.facts.state !== 'paused') return;
    this.resume(record);
    this.options.pump();
  }

  /** Ends a task that has not ended: its machine, if it has one, decides when. */
  cancel(record: TaskRecord): void {
    if (isTerminal(record.facts.state)) return;
    if (record.live) {
      this.options.tasks.send(record, { type: 'CANCEL' });
      return;
    }
    this.options.endings.end(record, { outcome: 'cancelled', error: null, resultUrls: [] });
  }

  /** The task is paused (its machine, if it had one, has stopped). */
  park(record: TaskRecord): void {
    const { spec, attempts } = record.facts;
    this.options.publish({ type: 'task.paused', taskId: spec.taskId, batchId: spec.batchId, userId: spec.userId, attempts });
  }

  private resume(record: TaskRecord): void {
    const { spec } = record.facts;
    this.options.publish({ type: 'task.resumed', taskId: spec.taskId, batchId: spec.batchId, userId: spec.userId });
    this.options.registry.requeue(record);
  }
}
