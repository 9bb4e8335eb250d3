import type { EngineEvent } from '@clipfleet/engine';
import type { FastifyBaseLogger } from 'fastify';
import type { EventBus } from '../fleet/bus.ts';

/**
 * One log line per transition an operator cares about (submitted, retried, failed, succeeded, timed out; batches;
 * degradation and provider state), from committed events. Prompts and result URLs (signed links) stay out.
 */
export function logFleetEvents(bus: EventBus, parent: FastifyBaseLogger): () => void {
  const log = parent.child({ component: 'fleet' });
  return bus.subscribeAll((e) => logEvent(log, e));
}

function logEvent(log: FastifyBaseLogger, e: EngineEvent): void {
  const task = 'taskId' in e ? { taskId: e.taskId, batchId: e.batchId, userId: e.userId } : {};
  switch (e.type) {
    case 'batch.added':
      return log.info({ event: e.type, batchId: e.batchId, userId: e.userId, taskCount: e.taskCount }, 'batch accepted');
    case 'batch.finished':
      return log.info({ event: e.type, batchId: e.batchId, userId: e.userId, counts: e.counts }, 'batch finished');
    case 'batch.cancelled':
      return log.info({ event: e.type, batchId: e.batchId, userId: e.userId }, 'batch cancelled');
    case 'task.submitted':
      return log.info({ event: e.type, ...task, attempt: e.attempt, remoteTaskId: e.remoteTaskId }, 'task submitted');
    case 'task.retryScheduled':
      return log.warn(
        { event: e.type, ...task, nextAttempt: e.nextAttempt, code: e.code, reason: e.message, delayMs: e.delayMs, consumesAttempt: e.consumesAttempt },
        'task retry scheduled',
      );
    case 'task.requeued':
      return log.info({ event: e.type, ...task }, 'task re-queued');
    case 'task.succeeded':
      return log.info({ event: e.type, ...task, attempts: e.attempts, remoteTaskId: e.remoteTaskId, results: e.resultUrls.length }, 'task succeeded');
    case 'task.failed':
      return log.warn({ event: e.type, ...task, attempts: e.attempts, code: e.code, reason: e.message, submitted: e.submitted }, 'task failed');
    case 'task.timedOut':
      return log.warn({ event: e.type, ...task, attempts: e.attempts, timeoutMs: e.timeoutMs }, 'task timed out');
    case 'task.cancelled':
      return log.info({ event: e.type, ...task, attempts: e.attempts, submitted: e.submitted }, 'task cancelled');
    case 'concurrency.changed':
      return log.warn({ event: e.type, userId: e.userId, from: e.from, to: e.to, reason: e.reason }, `user concurrency ${e.reason}`);
    case 'provider.limitChanged':
      return log.warn({ event: e.type, from: e.from, to: e.to, reason: e.reason }, `provider limit ${e.reason}`);
    case 'provider.throttled':
      return log.warn({ event: e.type, code: e.code, untilAt: e.untilAt }, 'KIE throttled submissions');
    case 'provider.halted':
      return log.error({ event: e.type, code: e.code, reason: e.message }, 'KIE refused the account: submissions halted until an operator resumes');
    case 'provider.resumed':
      return log.info({ event: e.type }, 'submissions resumed');
    default:
      return;
  }
}
