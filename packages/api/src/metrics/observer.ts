import { classifyError, ENGINE_CODES, GenerationTimeEstimator, isContentPolicyRefusal, type EngineEvent } from '@clipfleet/engine';
import type { Db } from '../db/database.ts';
import { classLabels, type ClassLabels, type MetricSet } from './metrics.ts';
import { batchTaskClasses } from './queries.ts';

const UNKNOWN: ClassLabels = { model: 'unknown', resolution: 'unknown', duration: 'unknown' };

/**
 * Turns committed engine events (the bus publishes only what is stored) into counters and histograms. Events carry
 * task ids, not classes: a batch's classes are read from the database once, on its first event, and dropped
 * when it finishes. Events are handled in order through one promise chain.
 */
export class MetricsObserver {
  private readonly classes = new Map<string, Promise<Map<string, ClassLabels>>>();
  private readonly batchAddedAt = new Map<string, number>();
  /** Tasks re-queued by retryFailed: their queue wait starts there. */
  private readonly requeuedAt = new Map<string, number>();
  /** Tasks submitted and not ended: when they were queued (for the processing time). */
  private readonly queuedAt = new Map<string, number>();
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Db,
    private readonly m: MetricSet,
  ) {}

  observe(event: EngineEvent): void {
    this.chain = this.chain.then(() => this.handle(event)).catch((err) => console.error('metrics: could not observe an event:', err));
  }

  /** Resolves when every event observed so far is counted (tests scrape after it). */
  settled(): Promise<void> {
    return this.chain;
  }

  private async handle(e: EngineEvent): Promise<void> {
    switch (e.type) {
      case 'batch.added':
        this.batchAddedAt.set(e.batchId, e.at);
        return;
      case 'batch.finished':
        this.batchAddedAt.delete(e.batchId);
        this.classes.delete(e.batchId);
        return;
      case 'task.requeued':
        this.requeuedAt.set(e.taskId, e.at);
        return;
      case 'task.submitting': {
        const labels = await this.classOf(e.batchId, e.taskId);
        this.m.submissions.inc({ ...labels, attempt: e.attempt === 1 ? 'first' : 'retry' });
        const since = this.requeuedAt.get(e.taskId) ?? (e.attempt === 1 ? this.batchAddedAt.get(e.batchId) : undefined);
        this.requeuedAt.delete(e.taskId);
        if (since !== undefined) {
          this.m.queueWait.observe(labels, seconds(e.at - since));
          this.queuedAt.set(e.taskId, since);
        }
        return;
      }
      case 'task.retryScheduled': {
        const labels = await this.classOf(e.batchId, e.taskId);
        const kind = classifyError({ code: e.code, message: e.message }).kind;
        this.m.retries.inc({ ...labels, cause: e.consumesAttempt ? 'retry' : kind, code: String(e.code) });
        return;
      }
      case 'task.succeeded':
      case 'task.failed':
      case 'task.timedOut':
      case 'task.cancelled': {
        const labels = await this.classOf(e.batchId, e.taskId);
        const outcome = e.type.slice('task.'.length);
        this.m.outcomes.inc({ ...labels, outcome });
        if (e.type === 'task.failed') {
          this.m.failures.inc({ ...labels, cause: failureCause(e.code, e.message), code: String(e.code) });
        } else if (e.type === 'task.timedOut') {
          this.m.failures.inc({ ...labels, cause: 'timeout', code: 'none' });
        }
        const since = this.queuedAt.get(e.taskId);
        this.queuedAt.delete(e.taskId);
        this.requeuedAt.delete(e.taskId);
        if (e.type === 'task.succeeded' && since !== undefined) this.m.processing.observe(labels, seconds(e.at - since));
        return;
      }
      default:
        return;
    }
  }

  private async classOf(batchId: string, taskId: string): Promise<ClassLabels> {
    let classes = this.classes.get(batchId);
    if (!classes) {
      classes = batchTaskClasses(this.db, batchId).then(labelsByTask);
      this.classes.set(batchId, classes);
    }
    return (await classes).get(taskId) ?? UNKNOWN;
  }
}

/**
 * Each task's class labels, one object per class: the batch's tasks share a few classes, and a labels object (with
 * its model and resolution strings, fresh from each database row) per task was ~100 bytes x 10,000 rows kept for
 * the batch's whole run.
 */
function labelsByTask(rows: readonly { taskId: string; model: string; resolution: string; durationSec: number }[]): Map<string, ClassLabels> {
  const byClass = new Map<string, ClassLabels>();
  return new Map(
    rows.map((r) => {
      const key = GenerationTimeEstimator.classKey(r.model, r.resolution, r.durationSec);
      let labels = byClass.get(key);
      if (!labels) byClass.set(key, (labels = classLabels(r)));
      return [r.taskId, labels];
    }),
  );
}

/** Why a task failed, in words an operator can group by: the engine's own decision for its last code. */
export function failureCause(code: number, message: string): string {
  if (code === ENGINE_CODES.submitUncertain) return 'submit_uncertain';
  if (isContentPolicyRefusal(message)) return 'content_policy';
  if (code === 501) return 'generation';
  switch (classifyError({ code, message }).kind) {
    case 'retry':
      return 'retries_exhausted';
    case 'fatal':
      return 'rejected';
    default:
      return 'provider';
  }
}

function seconds(ms: number): number {
  return Math.max(0, ms) / 1000;
}
