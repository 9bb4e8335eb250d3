import { test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { accountLimits, isContentPolicyRefusal } from '../src/index.ts';
import { eventsByTask, scenarioArb, TERMINAL_EVENTS } from './support/scenario.ts';
import { runScenario } from './support/runScenario.ts';

const RUNS = { numRuns: 60 };
const RETRYABLE = new Set([0, 408, 500, 501]);

describe('supervisor invariants over random batches, plans, failures and user actions', () => {
  test.prop([scenarioArb({ controls: true })], RUNS)('capacity, provider cap and create rate are never exceeded', async (scenario) => {
    const { obs } = await runScenario(scenario);
    expect(obs.maxCapacity).toBeLessThanOrEqual(1 + 1e-9);
    expect(obs.maxRunning).toBeLessThanOrEqual(scenario.config.provider.maxRunning);
  });

  test.prop([scenarioArb({ controls: true })], RUNS)('no KIE account ever exceeds its create window or its running cap', async (scenario) => {
    const { gateway, obs } = await runScenario(scenario);
    for (const account of accountLimits(scenario.config.provider)) {
      // KIE's own window (without our margin) is what must hold.
      const windowMs = account.windowMs - scenario.config.provider.createWindowMarginMs;
      const times = gateway.creates.filter((c) => c.accountId === account.id).map((c) => c.at);
      times.forEach((t, i) => {
        const inWindow = times.filter((u, j) => j <= i && u > t - windowMs).length;
        expect(inWindow, account.id).toBeLessThanOrEqual(account.createLimit);
      });
      expect(obs.maxOnAccount.get(account.id) ?? 0).toBeLessThanOrEqual(account.maxRunning ?? scenario.config.provider.maxRunning);
    }
    expect(new Set(gateway.creates.map((c) => c.accountId)).size).toBeLessThanOrEqual(scenario.config.provider.accounts.length);
  });

  test.prop([scenarioArb({ controls: true })], RUNS)('a job is only ever queried on the account that created it', async (scenario) => {
    const { gateway } = await runScenario(scenario);
    for (const get of gateway.gets) expect(get.accountId, get.remoteTaskId).toBe(gateway.accountOf(get.remoteTaskId));
  });

  test.prop([scenarioArb({ controls: true })], RUNS)('every task ends in exactly one terminal state; none is lost', async (scenario) => {
    const { events, supervisor } = await runScenario(scenario);
    const byTask = eventsByTask(events);
    for (const b of scenario.batches) {
      for (const t of b.tasks) {
        const ends = (byTask.get(t.taskId) ?? []).filter((e) => TERMINAL_EVENTS.has(e.type));
        expect(ends, t.taskId).toHaveLength(1);
        expect(supervisor.task(t.taskId)!.state).toBe(ends[0]!.type.slice('task.'.length));
      }
      const finished = events.filter((e) => e.type === 'batch.finished' && e.batchId === b.batchId);
      expect(finished).toHaveLength(1);
    }
  });

  test.prop([scenarioArb({ controls: true })], RUNS)('createTask: at most one accepted call per attempt, none after a remote id', async (scenario) => {
    const { gateway } = await runScenario(scenario);
    const accepted = new Set<string>();
    for (const call of gateway.creates) {
      const key = `${call.taskId}#${call.attempt}`;
      expect(accepted.has(key), key).toBe(false);
      if (call.ok) accepted.add(key);
    }
  });

  test.prop([scenarioArb()], RUNS)('retries: at most 3, only retryable errors, exact 2/4/8 s; 429/455 free', async (scenario) => {
    const { events, gateway } = await runScenario(scenario);
    for (const e of events) {
      if (e.type !== 'task.retryScheduled') continue;
      if (e.code === 429 || e.code === 455) {
        expect(e.consumesAttempt).toBe(false);
        continue;
      }
      expect(RETRYABLE.has(e.code), `code ${e.code}`).toBe(true);
      expect(isContentPolicyRefusal(e.message)).toBe(false);
      expect(e.consumesAttempt).toBe(true);
      expect(e.nextAttempt).toBeLessThanOrEqual(4);
      expect(e.delayMs).toBe([2000, 4000, 8000][e.nextAttempt - 2]);
    }
    // Accepted creates per task never exceed 1 + 3 retries.
    const perTask = new Map<string, Set<number>>();
    for (const c of gateway.creates) perTask.set(c.taskId, (perTask.get(c.taskId) ?? new Set()).add(c.attempt));
    for (const attempts of perTask.values()) expect(Math.max(...attempts)).toBeLessThanOrEqual(4);
  });

  test.prop([scenarioArb({ controls: true, maxTasks: 8 })], { numRuns: 25 })('determinism: the same input gives the same event log', async (scenario) => {
    const a = await runScenario(scenario);
    const b = await runScenario(structuredClone(scenario));
    expect(JSON.stringify(b.events)).toBe(JSON.stringify(a.events));
  });

  test.prop([scenarioArb()], { numRuns: 40 })('degradation never goes below 1', async (scenario) => {
    const { events } = await runScenario(scenario);
    for (const e of events) if (e.type === 'concurrency.changed') expect(e.to).toBeGreaterThanOrEqual(1);
  });
});
