import { fc } from '@fast-check/vitest';
import type { EngineEvent, FleetConfig, TaskSpec } from '../../src/index.ts';
import { CLASSES, configWith, makeTasks } from './fleet.ts';
import type { AttemptScript } from './scriptedGateway.ts';

/** Provider answers a scripted attempt can get: every class of the kie-api.md error table. */
const STEP = fc.oneof(
  { weight: 6, arbitrary: fc.record({ genMs: fc.integer({ min: 20_000, max: 400_000 }), outcome: fc.constant('success' as const) }) },
  { weight: 1, arbitrary: fc.constantFrom(429, 455, 500, 0, 408, 400, 422, 505).map((code) => ({ create: { code, message: `code ${code}` } })) },
  {
    weight: 1,
    arbitrary: fc.record({
      genMs: fc.integer({ min: 5_000, max: 200_000 }),
      outcome: fc.constantFrom(
        { failCode: 501, failMsg: 'internal generation error' },
        { failCode: 501, failMsg: 'content policy violation: nsfw' },
      ),
    }),
  },
) as fc.Arbitrary<AttemptScript>;

export type Control =
  | { at: number; kind: 'pauseBatch' | 'resumeBatch' | 'cancelBatch'; batch: number }
  | { at: number; kind: 'cancelTask' | 'pauseTask' | 'resumeTask'; batch: number; task: number };

export interface Scenario {
  config: FleetConfig;
  plans: Record<string, string>;
  batches: { batchId: string; userId: string; tasks: TaskSpec[] }[];
  scripts: Record<string, AttemptScript[]>;
  controls: Control[];
}

export const scenarioArb = (opts: { controls?: boolean; maxTasks?: number } = {}): fc.Arbitrary<Scenario> =>
  fc
    .record({
      maxRunning: fc.integer({ min: 1, max: 12 }),
      createLimit: fc.integer({ min: 1, max: 6 }),
      // One to three KIE accounts, each with or without its own window and running cap.
      accounts: fc.array(
        fc.record({ createLimit: fc.option(fc.integer({ min: 1, max: 6 }), { nil: undefined }), maxRunning: fc.option(fc.integer({ min: 1, max: 6 }), { nil: undefined }) }),
        { minLength: 1, maxLength: 3 },
      ),
      plans: fc.array(fc.constantFrom('free', 'pro', 'pro_plus', 'enterprise'), { minLength: 1, maxLength: 3 }),
      batchShapes: fc.array(
        fc.record({ user: fc.nat(2), classes: fc.array(fc.constantFrom(...CLASSES), { minLength: 1, maxLength: opts.maxTasks ?? 12 }) }),
        { minLength: 1, maxLength: 3 },
      ),
      stepsPool: fc.array(fc.array(STEP, { maxLength: 4 }), { minLength: 40, maxLength: 40 }),
      controls: opts.controls
        ? fc.array(
            fc.record({
              at: fc.integer({ min: 0, max: 600_000 }),
              kind: fc.constantFrom('pauseBatch', 'resumeBatch', 'cancelBatch', 'cancelTask', 'pauseTask', 'resumeTask'),
              batch: fc.nat(2),
              task: fc.nat(11),
            }),
            { maxLength: 6 },
          )
        : fc.constant([]),
    })
    .map(({ maxRunning, createLimit, accounts, plans, batchShapes, stepsPool, controls }) => {
      const config = configWith((c) => {
        c.provider.maxRunning = maxRunning;
        c.provider.createLimit = createLimit;
        c.provider.accounts = accounts.map((a, i) => ({
          id: `acct${i}`,
          ...(a.createLimit !== undefined ? { createLimit: a.createLimit } : {}),
          ...(a.maxRunning !== undefined ? { maxRunning: a.maxRunning } : {}),
        }));
      });
      const userPlans: Record<string, string> = {};
      const batches = batchShapes.map((shape, i) => {
        const userId = `u${shape.user % plans.length}`;
        userPlans[userId] = plans[shape.user % plans.length]!;
        return { batchId: `b${i}`, userId, tasks: makeTasks(`b${i}`, userId, shape.classes) };
      });
      const scripts: Record<string, AttemptScript[]> = {};
      let k = 0;
      for (const b of batches) for (const t of b.tasks) scripts[t.taskId] = stepsPool[k++ % stepsPool.length]!;
      // Resumes come after the pauses they undo at the end too, so every run can finish.
      const tail: Control[] = batches.flatMap((b, i) => [
        { at: 700_000, kind: 'resumeBatch' as const, batch: i },
        ...b.tasks.map((_, t) => ({ at: 700_000, kind: 'resumeTask' as const, batch: i, task: t })),
      ]);
      return { config, plans: userPlans, batches, scripts, controls: [...(controls as Control[]), ...tail] };
    });

/** Task events by task id. */
export function eventsByTask(events: EngineEvent[]): Map<string, EngineEvent[]> {
  const map = new Map<string, EngineEvent[]>();
  for (const e of events) {
    if (!('taskId' in e)) continue;
    const list = map.get(e.taskId) ?? [];
    list.push(e);
    map.set(e.taskId, list);
  }
  return map;
}

export const TERMINAL_EVENTS = new Set(['task.succeeded', 'task.failed', 'task.timedOut', 'task.cancelled']);
