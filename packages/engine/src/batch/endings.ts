import type { EngineEventBody } from '../events.ts';
import type { ProviderError } from '../ports/gateway.ts';
import { GenerationTimeEstimator } from '../policy/estimator.ts';
import { isTerminal, type TerminalState } from '../task/types.ts';
import type { HealthControl } from './health.ts';
import type { BatchEntry, TaskRecord } from './records.ts';
import type { Registry } from './registry.ts';

/** How a task's attempt ended, as its actor reports it. */
export interface Ending {
  outcome: TerminalState;
  error: ProviderError | null;
  resultUrls: string[];
  elapsedMs?: number | null;
  /** Generation time by the provider's own timestamps, when it reported them. */
  remoteDurationMs?: number | null;
}

/**
 * Task ends: the end event, what the outcome teaches (generation times, provider health), and the batch's end
 * once its last task is done.
 */
export class Endings {
  constructor(
    private readonly registry: Registry,
    private readonly estimator: GenerationTimeEstimator,
    private readonly health: HealthControl,
    private readonly publish: (body: EngineEventBody) => void,
  ) {}

  /** Feeds an attempt's outcome to its user's and its KIE account's health control. */
  outcome(record: TaskRecord, failed: boolean, error?: ProviderError | null, accountId = record.facts.accountId): void {
    const { userId } = record.facts.spec;
    this.health.outcome(this.registry.users.get(userId)!, this.registry.planOf(userId), accountId, failed, error);
  }

  end(record: TaskRecord, { outcome, error, resultUrls, elapsedMs = null, remoteDurationMs = null }: Ending): void {
    const { spec, remoteTaskId, attempts } = record.facts;
    const { taskId, batchId, userId } = spec;
    const submitted = remoteTaskId !== null;
    this.registry.unroute(record);
    switch (outcome) {
      case 'succeeded': {
        const sample = remoteDurationMs ?? elapsedMs;
        if (sample !== null) this.estimator.record(GenerationTimeEstimator.classKey(spec.model, spec.resolution, spec.durationSec), sample);
        this.publish({ type: 'task.succeeded', taskId, batchId, userId, remoteTaskId: remoteTaskId ?? '', resultUrls, attempts });
        this.outcome(record, false);
        break;
      }
      case 'failed':
        this.publish({ type: 'task.failed', taskId, batchId, userId, code: error?.code ?? 0, message: error?.message ?? 'failed', attempts, submitted });
        this.outcome(record, true, error);
        break;
      case 'timedOut': {
        const timeoutMs = this.registry.planOf(userId).timeoutsMs[spec.resolution]!;
        this.publish({ type: 'task.timedOut', taskId, batchId, userId, attempts, timeoutMs });
        this.outcome(record, true);
        break;
      }
      case 'cancelled':
        this.publish({ type: 'task.cancelled', taskId, batchId, userId, attempts, submitted });
        break;
    }
    const batch = this.registry.batches.get(batchId)!;
    batch.open--;
    if (batch.open === 0) this.finishBatch(batch);
  }

  finishBatch(batch: BatchEntry): void {
    const counts = { succeeded: 0, failed: 0, cancelled: 0, timedOut: 0 } satisfies Record<TerminalState, number>;
    for (const id of batch.taskIds) {
      const { state } = this.registry.record(id).facts;
      if (isTerminal(state)) counts[state]++;
    }
    batch.paused = false;
    this.publish({ type: 'batch.finished', batchId: batch.batchId, userId: batch.userId, counts });
  }
}
