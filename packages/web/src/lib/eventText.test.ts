import type { EngineEvent } from '@clipfleet/engine';
import { describe, expect, it } from 'vitest';
import { eventText } from './eventText.ts';

const ref = { taskId: 't', batchId: 'b', userId: 'u', seq: 1, at: 0 };

describe('eventText', () => {
  it('describes task events for the log', () => {
    expect(eventText({ ...ref, type: 'task.submitted', attempt: 1, remoteTaskId: 'r1' } as EngineEvent)).toEqual({ text: 'submitted attempt 1', detail: 'remote id r1' });
    expect(eventText({ ...ref, type: 'task.status', remoteState: 'generating', progress: 40 } as EngineEvent).text).toBe('status generating · 40%');
    expect(
      eventText({ ...ref, type: 'task.retryScheduled', nextAttempt: 2, delayMs: 2000, dueAt: 0, code: 500, message: 'boom', consumesAttempt: true } as EngineEvent),
    ).toEqual({ text: 'retry in 2 s (attempt 2)', detail: '500: boom' });
    expect(eventText({ type: 'concurrency.changed', userId: 'u', from: 3, to: 2, reason: 'degraded', seq: 1, at: 0 }).text).toBe('concurrency 3 → 2 (degraded)');
  });
});
