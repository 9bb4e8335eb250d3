import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { createSupervisor, type EngineEvent, type TaskState } from '../src/index.ts';
import { scenarioArb } from './support/scenario.ts';
import { ScriptedGateway } from './support/scriptedGateway.ts';
import { runUntil, SteppingClock } from './support/steppingClock.ts';

/** States in which a task has no createTask in flight and no remote job: a cancel must keep it that way. */
const NOT_SENT: TaskState[] = ['queued', 'retrying', 'paused'];

const cancelCase = fc.record({
  scenario: scenarioArb({ maxTasks: 12 }),
  cancelAt: fc.integer({ min: 0, max: 400_000 }),
  target: fc.nat(2),
  /** Cancel one task instead of the whole batch. */
  single: fc.option(fc.nat(11), { nil: undefined }),
});

describe('cancel is one step', () => {
  test.prop([cancelCase], { numRuns: 80 })(
    'after cancelBatch / cancelTask, no task that was waiting at the call is ever submitted or charged',
    async ({ scenario, cancelAt, target, single }) => {
      const clock = new SteppingClock();
      const gateway = new ScriptedGateway(clock, scenario.scripts);
      const events: EngineEvent[] = [];
      const supervisor = createSupervisor({ clock, gateway, config: scenario.config, userPlans: scenario.plans, onEvent: (e) => events.push(e) });
      for (const b of scenario.batches) supervisor.addBatch(b);
      const batch = scenario.batches[target % scenario.batches.length]!;
      const targets = single === undefined ? batch.tasks : [batch.tasks[single % batch.tasks.length]!];
      let waiting = new Set<string>();
      let createsBefore = 0;
      clock.setTimeout(() => {
        waiting = new Set(targets.filter((t) => NOT_SENT.includes(supervisor.task(t.taskId)!.state)).map((t) => t.taskId));
        createsBefore = gateway.creates.length;
        if (single === undefined) supervisor.cancelBatch(batch.batchId);
        else supervisor.cancelTask(targets[0]!.taskId);
      }, cancelAt);
      await runUntil(clock, () => supervisor.isIdle() && clock.nextDue() === undefined);

      const sentAfter = gateway.creates.slice(createsBefore).filter((c) => waiting.has(c.taskId));
      expect(sentAfter, 'createTask after the cancel for a task that was waiting').toEqual([]);
      for (const taskId of waiting) {
        const end = events.find((e) => e.type === 'task.cancelled' && e.taskId === taskId);
        // `submitted: false` is what the host refunds; `true` would be charged.
        expect(end, taskId).toMatchObject({ type: 'task.cancelled', submitted: false });
      }
      if (single === undefined) {
        // Nothing of the batch is admitted after the call, and every task of it ends.
        const cancelSeq = events.find((e) => e.type === 'batch.cancelled' && e.batchId === batch.batchId)?.seq ?? Infinity;
        expect(events.filter((e) => e.type === 'task.admitted' && e.batchId === batch.batchId && e.seq > cancelSeq)).toEqual([]);
        expect(events.filter((e) => e.type === 'batch.finished' && e.batchId === batch.batchId)).toHaveLength(1);
      }
    },
  );
});
