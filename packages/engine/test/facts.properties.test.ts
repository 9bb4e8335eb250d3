import { test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { applyTaskEvent, createSupervisor, initialFacts, type EngineEvent, type TaskFacts } from '../src/index.ts';
import { scheduleControls } from './support/runScenario.ts';
import { scenarioArb } from './support/scenario.ts';
import { ScriptedGateway } from './support/scriptedGateway.ts';
import { runUntil, SteppingClock } from './support/steppingClock.ts';

describe('task facts have one derivation', () => {
  test.prop([scenarioArb({ controls: true, maxTasks: 8 })], { numRuns: 40 })(
    "after every event, the supervisor's view of each task equals the fold of its events with applyTaskEvent",
    async (scenario) => {
      const clock = new SteppingClock();
      const gateway = new ScriptedGateway(clock, scenario.scripts);
      const folded = new Map<string, TaskFacts>();
      for (const b of scenario.batches) for (const t of b.tasks) folded.set(t.taskId, initialFacts(t));
      const mismatches: string[] = [];
      const supervisor = createSupervisor({ clock, gateway, config: scenario.config, userPlans: scenario.plans });
      supervisor.subscribe((e: EngineEvent) => {
        if (!('taskId' in e)) return;
        const facts = applyTaskEvent(folded.get(e.taskId)!, e);
        folded.set(e.taskId, facts);
        const { taskId: _id, machineState: _value, ...view } = supervisor.task(e.taskId)!;
        if (JSON.stringify(view) !== JSON.stringify(facts)) mismatches.push(`seq ${e.seq} ${e.type}: ${JSON.stringify(view)} != ${JSON.stringify(facts)}`);
      });
      for (const b of scenario.batches) supervisor.addBatch(b);
      scheduleControls(clock, () => supervisor, scenario);
      await runUntil(clock, () => supervisor.isIdle() && clock.nextDue() === undefined);
      // A second round for what failed: requeued tasks start from fresh facts.
      for (const b of scenario.batches) supervisor.retryFailed(b.batchId);
      await runUntil(clock, () => supervisor.isIdle() && clock.nextDue() === undefined);
      expect(mismatches).toEqual([]);
      const byId = new Map(supervisor.facts().map((f) => [f.spec.taskId, f]));
      for (const [id, facts] of folded) expect(byId.get(id), id).toEqual(facts);
    },
  );
});
