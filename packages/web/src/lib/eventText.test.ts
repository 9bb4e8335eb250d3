import { describe, expect, it } from 'vitest';
import { eventText } from './eventText.ts';
import type { TaskEvent } from './inspectorFeed.ts';

const ref = { taskId: 't', batchId: 'b', userId: 'u', seq: 1, at: 0 };

describe('eventText', () => {
  it('describes task events for the log', () => {
    expect(eventText({ ...ref, type: 'task.submitted', attempt: 1, remoteTaskId: 'r1' } as TaskEvent)).toEqual({ text: 'submitted attempt 1', detail: 'remote id r1' });
    expect(eventText({ ...ref, type: 'task.status', remoteState: 'generating', progress: 40 } as TaskEvent).text).toBe('status generating · 40%');
    expect(
      eventText({ ...ref, type: 'task.retryScheduled', nextAttempt: 2, delayMs: 2000, dueAt: 0, code: 500, message: 'boom', consumesAttempt: true } as TaskEvent),
    ).toEqual({ text: 'retry in 2 s (attempt 2)', detail: '500: boom' });
    expect(eventText({ ...ref, type: 'task.cancelled', attempts: 1, submitted: true })).toEqual({ text: 'cancelled', detail: 'a remote job existed' });
  });
});
