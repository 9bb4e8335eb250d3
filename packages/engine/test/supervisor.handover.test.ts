import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { applyTaskEvent, createSupervisor, DEFAULT_CONFIG, ENGINE_CODES, initialFacts, type EngineEvent, type HydrateBatch, type TaskFacts } from '../src/index.ts';
import { CLASSES, makeTasks } from './support/fleet.ts';
import { ScriptedGateway } from './support/scriptedGateway.ts';
import { runUntil, settle, SteppingClock } from './support/steppingClock.ts';

const TERMINAL = new Set(['task.succeeded', 'task.failed', 'task.timedOut', 'task.cancelled']);

/** What a host stored of a batch: its tasks' facts folded from the events it wrote. */
function stored(batchId: string, userId: string, specs: ReturnType<typeof makeTasks>, events: EngineEvent[]): HydrateBatch {
  const facts = new Map<string, TaskFacts>(specs.map((t) => [t.taskId, initialFacts(t)]));
  for (const e of events) if ('taskId' in e && facts.has(e.taskId)) facts.set(e.taskId, applyTaskEvent(facts.get(e.taskId)!, e));
  return { batchId, userId, paused: false, tasks: [...facts.values()] };
}

describe('a user handed over between two supervisors (a lease changing hands)', () => {
  test.prop([fc.integer({ min: 0, max: 60 }), fc.integer({ min: 1, max: 3 })], { numRuns: 40 })(
    'releaseUser stops the user silently, leaves the others running; adopt finishes every task once, never creating an attempt twice',
    async (cut, perUser) => {
      const clock = new SteppingClock();
      const gateway = new ScriptedGateway(clock);
      const first: EngineEvent[] = [];
      const a = createSupervisor({ clock, gateway, config: DEFAULT_CONFIG, onEvent: (e) => first.push(e) });
      const mover = makeTasks('moving', 'u-move', Array.from({ length: perUser * 2 }, (_, i) => CLASSES[i % CLASSES.length]!));
      const stayer = makeTasks('staying', 'u-stay', Array.from({ length: perUser * 2 }, (_, i) => CLASSES[i % CLASSES.length]!));
      a.addBatch({ batchId: 'moving', userId: 'u-move', tasks: mover });
      a.addBatch({ batchId: 'staying', userId: 'u-stay', tasks: stayer });
      // Run until `cut` events are out (or the moving batch is done), then release the moving user from `a`.
      const movingOpen = () => {
        const { byState } = a.batchProgress('moving')!;
        return byState.queued + byState.submitting + byState.polling + byState.retrying > 0;
      };
      await runUntil(clock, () => first.length >= cut || !movingOpen());
      const before = first.length;
      expect(a.releaseUser('u-move')).toEqual(['moving']);
      expect(first.length, 'a release publishes nothing').toBe(before);
      expect(a.batchProgress('moving')).toBeUndefined();
      const facts = stored('moving', 'u-move', mover, first);

      const second: EngineEvent[] = [];
      const b = createSupervisor({ clock, gateway, config: DEFAULT_CONFIG, onEvent: (e) => second.push(e) });
      b.adopt([facts]);
      b.adopt([facts]); // a repeated claim changes nothing
      await runUntil(clock, () => a.isIdle() && b.isIdle());
      await settle();

      // After the release, `a` said nothing more about the moving user; it finished its other user.
      expect(first.slice(before).filter((e) => 'userId' in e && e.userId === 'u-move')).toEqual([]);
      expect(first.some((e) => e.type === 'batch.finished' && e.batchId === 'staying')).toBe(true);
      // Every moving task ended exactly once across both; one caught between attempt and remote id is an uncertain submit.
      const uncertain = new Set(facts.tasks.filter((t) => t.state === 'submitting' && t.remoteTaskId === null).map((t) => t.spec.taskId));
      for (const t of mover) {
        const ends = [...first, ...second].filter((e) => TERMINAL.has(e.type) && 'taskId' in e && e.taskId === t.taskId);
        expect(ends, t.taskId).toHaveLength(1);
        if (uncertain.has(t.taskId)) expect(ends[0]).toMatchObject({ type: 'task.failed', code: ENGINE_CODES.submitUncertain });
      }
      // No attempt of a task was accepted twice by the provider, and a task with a remote id was not sent again for that attempt.
      const accepted = new Set<string>();
      for (const c of gateway.creates.filter((c) => c.ok)) {
        const key = `${c.taskId}#${c.attempt}`;
        expect(accepted.has(key), key).toBe(false);
        accepted.add(key);
      }
    },
  );
});
