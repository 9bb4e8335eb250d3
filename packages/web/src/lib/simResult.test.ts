import { describe, expect, it } from 'vitest';
import { SimResultError, toRuns } from './simResult.ts';

describe('toRuns', () => {
  it('merges the running timeline and completions onto one axis, in ms', () => {
    const runs = toRuns({
      runs: [
        {
          strategy: 'clipfleet',
          metrics: { makespanS: 120, statusCallsPerTask: 4.5, succeeded: 9, failed: 1, timedOut: 1 },
          timeline: [[0, 0], [10, 3], [120, 0]],
          completions: [[60, 4], [120, 10]],
        },
      ],
    });
    expect(runs[0]).toMatchObject({ strategy: 'clipfleet', makespanMs: 120_000, statusCallsPerTask: 4.5, succeeded: 9, failed: 2, hasCompletions: true });
    expect(runs[0]!.points).toEqual([
      { t: 0, running: 0, completed: 0 },
      { t: 10_000, running: 3, completed: 0 },
      { t: 60_000, running: 3, completed: 4 },
      { t: 120_000, running: 0, completed: 10 },
    ]);
  });

  it('refuses an answer without runs', () => {
    expect(() => toRuns({})).toThrow(SimResultError);
  });
});
