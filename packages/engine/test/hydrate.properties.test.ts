import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import {
  applyTaskEvent,
  createSupervisor,
  ENGINE_CODES,
  hydrateSupervisor,
  initialFacts,
  type EngineEvent,
  type HydrateBatch,
  type KieGateway,
  type Supervisor,
  type TaskFacts,
} from '../src/index.ts';
import { eventsByTask, scenarioArb, TERMINAL_EVENTS, type Scenario } from './support/scenario.ts';
import { runScenario, scheduleControls } from './support/runScenario.ts';
import { ScriptedGateway } from './support/scriptedGateway.ts';
import { runUntil, SteppingClock } from './support/steppingClock.ts';

/** What a host would have persisted after `events`: task facts folded from them, batch pause flags. */
function persisted(scenario: Scenario, events: EngineEvent[]): HydrateBatch[] {
  return scenario.batches.map((b) => {
    let paused = false;
    const facts = new Map<string, TaskFacts>(b.tasks.map((t) => [t.taskId, initialFacts(t)]));
    for (const e of events) {
      if (e.type === 'batch.paused' && e.batchId === b.batchId) paused = true;
      if ((e.type === 'batch.resumed' || e.type === 'batch.finished') && e.batchId === b.batchId) paused = false;
      if ('taskId' in e && facts.has(e.taskId)) facts.set(e.taskId, applyTaskEvent(facts.get(e.taskId)!, e));
    }
    return { batchId: b.batchId, userId: b.userId, paused, tasks: [...facts.values()] };
  });
}

/**
 * Runs the scenario, "crashes" right after event number `cut` (later events are lost, as unflushed
 * writes would be; the provider keeps whatever it was sent), then hydrates a new supervisor from
 * the persisted facts on the same provider and runs to the end.
 */
async function crashAndResume(scenario: Scenario, cut: number) {
  const clock = new SteppingClock();
  const gateway = new ScriptedGateway(clock, scenario.scripts);
  const before: EngineEvent[] = [];
  let crashed = false;
  // A dead process sends nothing: past the crash point, calls never reach the provider.
  const never = <T,>() => new Promise<T>(() => {});
  const dying: KieGateway = {
    createTask: (req) => (crashed ? never() : gateway.createTask(req)),
    getTask: (id, task, accountId) => (crashed ? never() : gateway.getTask(id, task, accountId)),
  };
  const first = createSupervisor({
    clock,
    gateway: dying,
    config: scenario.config,
    userPlans: scenario.plans,
    onEvent: (e) => {
      if (before.length < cut) before.push(e);
      else crashed = true;
    },
  });
  for (const b of scenario.batches) first.addBatch(b);
  let current: Supervisor = first;
  scheduleControls(clock, () => current, scenario);
  await runUntil(clock, () => crashed || (first.isIdle() && clock.nextDue() === undefined));
  first.stop();
  const createsBeforeCrash = gateway.creates.length;
  const facts = persisted(scenario, before);
  const after: EngineEvent[] = [];
  current = hydrateSupervisor(
    { clock, gateway, config: scenario.config, userPlans: scenario.plans, firstSeq: cut + 1, onEvent: (e) => after.push(e) },
    facts,
  );
  await runUntil(clock, () => current.isIdle() && clock.nextDue() === undefined);
  return { before, after, facts, gateway, createsBeforeCrash };
}

describe('hydrate after any prefix of events', () => {
  test.prop([scenarioArb({ controls: true, maxTasks: 8 }), fc.double({ min: 0, max: 1, noNaN: true })], { numRuns: 60 })(
    'resumes to the same outcomes without a duplicate createTask',
    async (scenario, fraction) => {
      const reference = await runScenario(structuredClone(scenario));
      const cut = Math.floor(fraction * reference.events.length);
      const { before, after, facts, gateway, createsBeforeCrash } = await crashAndResume(structuredClone(scenario), cut);

      // Never a second accepted createTask for one attempt, and none at all for an attempt that had a remote id.
      const accepted = new Set<string>();
      for (const c of gateway.creates) {
        const key = `${c.taskId}#${c.attempt}`;
        expect(accepted.has(key), key).toBe(false);
        if (c.ok) accepted.add(key);
      }
      const hadRemote = new Map(facts.flatMap((b) => b.tasks).filter((t) => t.remoteTaskId !== null).map((t) => [t.spec.taskId, t.attempts]));
      for (const c of gateway.creates.slice(createsBeforeCrash)) {
        const attempt = hadRemote.get(c.taskId);
        if (attempt !== undefined) expect(c.attempt, c.taskId).toBeGreaterThan(attempt);
      }

      // Every task ends exactly once across the crash, with the reference outcome unless the crash
      // caught it between "submitting" and "submitted" (then it fails as uncertain, never resent).
      const refEnds = eventsByTask(reference.events);
      const ends = eventsByTask([...before, ...after]);
      const uncertain = new Set(facts.flatMap((b) => b.tasks).filter((t) => t.state === 'submitting' && t.remoteTaskId === null).map((t) => t.spec.taskId));
      for (const b of scenario.batches) {
        for (const t of b.tasks) {
          const end = (ends.get(t.taskId) ?? []).filter((e) => TERMINAL_EVENTS.has(e.type));
          expect(end, t.taskId).toHaveLength(1);
          if (uncertain.has(t.taskId)) {
            expect(end[0]).toMatchObject({ type: 'task.failed', code: ENGINE_CODES.submitUncertain });
            continue;
          }
          const refEnd = (refEnds.get(t.taskId) ?? []).find((e) => TERMINAL_EVENTS.has(e.type))!;
          if (refEnd.type === 'task.cancelled' || end[0]!.type === 'task.cancelled') continue; // user actions race the crash
          expect(end[0]!.type, t.taskId).toBe(refEnd.type);
        }
      }
      // Across the restart too, a job is queried only on the account that created it.
      for (const get of gateway.gets) expect(get.accountId, get.remoteTaskId).toBe(gateway.accountOf(get.remoteTaskId));
      // Sequence numbers continue without a gap.
      expect([...before, ...after].map((e) => e.seq)).toEqual([...before, ...after].map((_, i) => i + 1));
    },
  );
});
