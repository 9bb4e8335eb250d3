import { createSupervisor, type EngineEvent, type Supervisor } from '../../src/index.ts';
import type { Scenario } from './scenario.ts';
import { ScriptedGateway } from './scriptedGateway.ts';
import { runUntil, SteppingClock } from './steppingClock.ts';

export interface Observations {
  maxCapacity: number;
  maxRunning: number;
  /** Most jobs each account held at once. */
  maxOnAccount: Map<string, number>;
}

/** Schedules the scenario's control actions on the virtual clock. */
export function scheduleControls(clock: SteppingClock, supervisor: () => Supervisor, scenario: Scenario): void {
  for (const c of scenario.controls) {
    const batch = scenario.batches[c.batch % scenario.batches.length]!;
    clock.setTimeout(() => {
      const s = supervisor();
      switch (c.kind) {
        case 'pauseBatch':
          return s.pauseBatch(batch.batchId);
        case 'resumeBatch':
          return s.resumeBatch(batch.batchId);
        case 'cancelBatch':
          return s.cancelBatch(batch.batchId);
        default: {
          const task = batch.tasks[c.task % batch.tasks.length]!;
          if (c.kind === 'cancelTask') s.cancelTask(task.taskId);
          else if (c.kind === 'pauseTask') s.pauseTask(task.taskId);
          else s.resumeTask(task.taskId);
        }
      }
    }, c.at);
  }
}

/** Runs a scenario to the end, checking capacity invariants at every event. */
export async function runScenario(scenario: Scenario) {
  const clock = new SteppingClock();
  const gateway = new ScriptedGateway(clock, scenario.scripts);
  const events: EngineEvent[] = [];
  const obs: Observations = { maxCapacity: 0, maxRunning: 0, maxOnAccount: new Map() };
  const supervisor = createSupervisor({
    clock,
    gateway,
    config: scenario.config,
    userPlans: scenario.plans,
    onEvent: (e) => {
      events.push(e);
      if (e.type === 'task.submitting') {
        for (const a of supervisor.status().accounts) obs.maxOnAccount.set(a.accountId, Math.max(obs.maxOnAccount.get(a.accountId) ?? 0, a.running));
      }
      if (e.type !== 'task.admitted') return;
      const status = supervisor.status();
      obs.maxRunning = Math.max(obs.maxRunning, status.running);
      for (const u of status.users) obs.maxCapacity = Math.max(obs.maxCapacity, u.capacityUsed);
    },
  });
  for (const b of scenario.batches) supervisor.addBatch(b);
  scheduleControls(clock, () => supervisor, scenario);
  // Pending control timers keep the run going after idle moments, like a user still at the keyboard.
  await runUntil(clock, () => supervisor.isIdle() && clock.nextDue() === undefined);
  return { clock, gateway, events, supervisor, obs };
}
