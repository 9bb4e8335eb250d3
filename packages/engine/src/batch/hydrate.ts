import { resumableFacts } from '../task/facts.ts';
import { isTerminal } from '../task/types.ts';
import { recordFrom, type TaskRecord } from './records.ts';
import type { Registry } from './registry.ts';
import type { HydrateBatch } from './types.ts';

/** What hydrate needs of the supervisor: where tasks resume. */
export interface HydrateHost {
  registry: Registry;
  /** Starts the task's actor mid-flight: polling its remote job, or waiting out its retry backoff. */
  resume(record: TaskRecord, start: 'polling' | 'retrying'): void;
  /** Ends a task that was caught between "submitting" and "submitted": KIE may or may not have it. */
  failUncertain(record: TaskRecord): void;
  /** Carries out a cancel accepted before the restart. */
  cancel(record: TaskRecord): void;
}

/**
 * Rebuilds batches from persisted facts: tasks with a remote id resume polling without calling createTask again,
 * retrying tasks wait out what is left of their backoff, queued ones wait in their queue; paused and ended ones
 * stay as they are.
 */
export function hydrate(host: HydrateHost, batches: HydrateBatch[], now: number): void {
  const { registry } = host;
  for (const b of batches) {
    const entry = registry.registerBatch(b.batchId, b.userId, b.paused, b.tasks.filter((t) => t.state === 'queued').map((t) => t.spec));
    entry.taskIds = b.tasks.map((t) => t.spec.taskId);
    // A cancel accepted before the restart admits nothing now either; it is carried out below.
    entry.cancelled = b.cancelled ?? false;
    for (const facts of b.tasks) {
      registry.tasks.set(facts.spec.taskId, recordFrom(resumableFacts(facts, now)));
      if (!isTerminal(facts.state)) entry.open++;
    }
    for (const facts of b.tasks) {
      const record = registry.record(facts.spec.taskId);
      const { state, remoteTaskId } = record.facts;
      registry.user(facts.spec.userId);
      if (state === 'submitting' || state === 'polling') {
        if (remoteTaskId === null) {
          host.failUncertain(record);
          continue;
        }
        registry.route(remoteTaskId, facts.spec.taskId);
        host.resume(record, 'polling');
      } else if (state === 'retrying') host.resume(record, 'retrying');
    }
    if (entry.cancelled) for (const id of entry.taskIds) host.cancel(registry.record(id));
  }
}
