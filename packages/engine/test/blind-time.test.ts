import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { createSupervisor, DEFAULT_CONFIG, type EngineEvent, type GetTaskResult } from '../src/index.ts';
import { attemptDeadline, NO_BLIND_TIME, noteQuery } from '../src/task/blindTime.ts';
import { makeTasks } from './support/fleet.ts';
import { ScriptedGateway } from './support/scriptedGateway.ts';
import { runUntil, SteppingClock } from './support/steppingClock.ts';

/** KIE under maintenance in [from, to): every status query answers `code` (createTask is not affected here). */
class OutageGateway extends ScriptedGateway {
  constructor(
    private readonly c: SteppingClock,
    private readonly from: number,
    private readonly to: number,
    private readonly code: number,
    scripts: ConstructorParameters<typeof ScriptedGateway>[1],
  ) {
    super(c, scripts);
  }
  override async getTask(id: string, task?: unknown, accountId?: string): Promise<GetTaskResult> {
    const now = this.c.now();
    if (now >= this.from && now < this.to) return { ok: false, error: { code: this.code, message: 'maintenance' } };
    return super.getTask(id, task, accountId);
  }
}

const answer: GetTaskResult = { ok: true, status: { state: 'generating' } };
const down: GetTaskResult = { ok: false, error: { code: 455, message: 'maintenance' } };

describe('no blind timeouts: time KIE could not be asked does not count against the deadline', () => {
  it('folds queries into blind intervals that move the deadline', () => {
    let blind = noteQuery(NO_BLIND_TIME, answer, 10);
    blind = noteQuery(blind, down, 100);
    blind = noteQuery(blind, down, 200);
    expect(attemptDeadline(0, 300, blind)).toBe(300); // still open: not counted yet
    blind = noteQuery(blind, { ok: false, error: { code: 422, message: 'recordInfo is null' } }, 250); // an answer
    expect(blind).toEqual({ blindMs: 150, blindSince: null });
    expect(attemptDeadline(0, 300, blind)).toBe(450);
  });

  test.prop([fc.constantFrom(455, 500, 503, 0), fc.integer({ min: 0, max: 200_000 }), fc.integer({ min: 310_000, max: 1_800_000 }), fc.integer({ min: 20_000, max: 280_000 })], { numRuns: 40 })(
    'a job that finished while KIE could not be asked is collected, not timed out',
    async (code, startsAt, lasts, genMs) => {
      const clock = new SteppingClock();
      const tasks = makeTasks('b', 'u', [{ model: 'sora-2', resolution: '720p', durationSec: 10 }]);
      const gateway = new OutageGateway(clock, startsAt, startsAt + lasts, code, { [tasks[0]!.taskId]: [{ genMs, outcome: 'success' }] });
      const events: EngineEvent[] = [];
      const supervisor = createSupervisor({ clock, gateway, config: DEFAULT_CONFIG, onEvent: (e) => events.push(e) });
      supervisor.addBatch({ batchId: 'b', userId: 'u', tasks });
      await runUntil(clock, () => supervisor.isIdle());
      expect(events.filter((e) => e.type === 'task.timedOut')).toEqual([]);
      expect(events.find((e) => e.type === 'task.succeeded')).toBeDefined();
      expect(gateway.creates).toHaveLength(1);
    },
  );

  it('a job KIE keeps answering about still times out at its deadline', async () => {
    const clock = new SteppingClock();
    const tasks = makeTasks('b', 'u', [{ model: 'sora-2', resolution: '720p', durationSec: 10 }]);
    const gateway = new ScriptedGateway(clock, { [tasks[0]!.taskId]: [{ genMs: 10_000_000, outcome: 'success' }, { genMs: 10_000_000, outcome: 'success' }, { genMs: 10_000_000, outcome: 'success' }, { genMs: 10_000_000, outcome: 'success' }] });
    const events: EngineEvent[] = [];
    const supervisor = createSupervisor({ clock, gateway, config: DEFAULT_CONFIG, onEvent: (e) => events.push(e) });
    supervisor.addBatch({ batchId: 'b', userId: 'u', tasks });
    await runUntil(clock, () => supervisor.isIdle());
    const end = events.find((e) => e.type === 'task.timedOut')!;
    const submitted = events.find((e) => e.type === 'task.submitted')!;
    expect(end.at - submitted.at).toBeGreaterThanOrEqual(300_000);
    expect(end.at - submitted.at).toBeLessThan(300_000 + 60_000);
  });
});
