import { describe, expect, it } from 'vitest';
import { TASK_STATES } from '@clipfleet/engine';
import { progressCounts, STATE_ORDER } from './progress.ts';

describe('progressCounts', () => {
  it('folds task states into bar segments', () => {
    expect(progressCounts(10, { succeeded: 3, failed: 1, timedOut: 1, cancelled: 1, polling: 2, submitting: 1, queued: 1 })).toEqual({
      total: 10,
      succeeded: 3,
      failed: 2,
      cancelled: 1,
      running: 3,
    });
    expect(progressCounts(0, {})).toEqual({ total: 0, succeeded: 0, failed: 0, cancelled: 0, running: 0 });
  });
});

describe('STATE_ORDER', () => {
  it("lists each of the engine's task states once", () => {
    expect([...STATE_ORDER].sort()).toEqual([...TASK_STATES].sort());
  });
});
