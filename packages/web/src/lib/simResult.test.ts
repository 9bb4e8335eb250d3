import { describe, expect, it } from 'vitest';
import { completionMilestones, toRun, type SimMetrics } from './simResult.ts';

const metrics: SimMetrics = {
  tasks: 10,
  succeeded: 9,
  failed: 1,
  timedOut: 0,
  makespanS: 120,
  firstResultS: 30,
  halfResultsS: 60,
  allResultsS: null,
  fastPartDoneS: 90,
  statusCallsPerTask: 4.5,
};

describe('sim answers', () => {
  it('draws completions through the reported milestones, ending at the makespan when some failed', () => {
    expect(completionMilestones(metrics)).toEqual([
      { t: 0, completed: 0 },
      { t: 30_000, completed: 1 },
      { t: 60_000, completed: 5 },
      { t: 120_000, completed: 9 },
    ]);
    expect(completionMilestones({ ...metrics, succeeded: 10, failed: 0, allResultsS: 110 }).at(-1)).toEqual({ t: 110_000, completed: 10 });
  });

  it('maps one answer to series in ms and a table row', () => {
    const run = toRun({ title: 't', strategy: 'seed', metrics, timeline: [[0, 0], [10, 3]] });
    expect(run).toMatchObject({ strategy: 'seed', makespanMs: 120_000, fastPartDoneMs: 90_000, succeeded: 9, failed: 1, statusCallsPerTask: 4.5 });
    expect(run.running).toEqual([{ t: 0, value: 0 }, { t: 10_000, value: 3 }]);
  });
});
