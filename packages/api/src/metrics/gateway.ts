import type { EngineClock, GetTaskResult, KieGateway, ProviderError } from '@clipfleet/engine';
import { classLabels, type ClassLabels, type MetricSet } from './metrics.ts';

/** The account label of a call that names none (a status query of a job stored before accounts were recorded). */
const DEFAULT_ACCOUNT = 'default';

/** A job KIE never answered as finished (cancelled, timed out) is forgotten after this much engine time. */
const FORGET_AFTER_MS = 6 * 3600_000;

interface InFlight {
  labels: ClassLabels;
  /** Engine-clock time createTask was answered. */
  submittedAt: number;
}

/**
 * Counts every KIE call by endpoint, account (its configured id, never its key) and answer code, and times each job from the KIE answers
 * themselves: the generation time is KIE's completeTime - createTime, and the detection delay is how much
 * longer than that ClipFleet took to see the result. Wraps the raw gateway (below persistence), so it sees the
 * task spec of every createTask. Like every gateway it never throws.
 */
export function meteredGateway(inner: KieGateway, m: MetricSet, clock: EngineClock): KieGateway {
  const inFlight = new Map<string, InFlight>();

  function count(endpoint: string, account: string, error: ProviderError | undefined): void {
    const code = error ? String(error.code) : '200';
    m.kieCalls.inc({ endpoint, account, code });
    if (error && (error.code === 429 || error.code === 455)) m.kieThrottles.inc({ endpoint, account, code });
  }

  function timeResult(remoteTaskId: string, result: GetTaskResult): void {
    if (!result.ok || (result.status.state !== 'success' && result.status.state !== 'fail')) return;
    const job = inFlight.get(remoteTaskId);
    inFlight.delete(remoteTaskId);
    const { createTime, completeTime } = result.status;
    if (!job || createTime === undefined || completeTime === undefined || completeTime < createTime) return;
    const generationMs = completeTime - createTime;
    if (result.status.state === 'success') m.generation.observe(job.labels, generationMs / 1000);
    m.detection.observe(job.labels, Math.max(0, clock.now() - job.submittedAt - generationMs) / 1000);
  }

  return {
    async createTask(req) {
      const result = await inner.createTask(req);
      count('createTask', req.accountId, result.ok ? undefined : result.error);
      if (result.ok) {
        const now = clock.now();
        if (inFlight.size % 1000 === 999) for (const [id, job] of inFlight) if (now - job.submittedAt > FORGET_AFTER_MS) inFlight.delete(id);
        inFlight.set(result.remoteTaskId, { labels: classLabels(req.task), submittedAt: now });
      }
      return result;
    },
    async getTask(remoteTaskId, task, accountId) {
      // The task rides along: the client routes the status query to the endpoint of the family that created it.
      const result = await inner.getTask(remoteTaskId, task, accountId);
      count('recordInfo', accountId ?? DEFAULT_ACCOUNT, result.ok ? undefined : result.error);
      timeResult(remoteTaskId, result);
      return result;
    },
  };
}
