import { fc, test } from '@fast-check/vitest';
import { createActor, createMachine, type AnyActorScope, type ExecutableActionObject } from 'xstate';
import { describe, expect } from 'vitest';
import { DEFAULT_CONFIG, getBatchConfig } from '../src/index.ts';
import type { CreateTaskResult, GetTaskResult, RemoteStatus } from '../src/ports/gateway.ts';
import { CompiledMachine, type Effect, type MachineState } from '../src/task/compiledMachine.ts';
import { taskMachine, type TaskContext, type TaskEvent, type TaskMachineInput, type TaskRuntime } from '../src/task/taskMachine.ts';

/**
 * The compiled task machine against XState's own `transition`: for any start and any sequence of events, timer
 * firings and clock moves, both give the same state value, the same context and the same effects in the same
 * order. This is what lets the engine run tasks on the compiled tables (see compiledMachine.ts).
 */

const compiled = new CompiledMachine<TaskContext, TaskEvent, TaskMachineInput>(taskMachine);
const RETRY = getBatchConfig(DEFAULT_CONFIG.defaultPlan, DEFAULT_CONFIG).retry;

class Clock {
  t = 100_000;
}

/** The same runtime for both sides, each with its own copy of the seeded jitter source. */
function runtime(clock: Clock, seed: number, timeoutMs: number): TaskRuntime {
  let s = seed >>> 0 || 1;
  return {
    createRemoteTask: () => {},
    queryStatus: () => {},
    now: () => clock.t,
    pollDelayMs: (elapsedMs) => 1_000 + (Math.floor(elapsedMs) % 9_000),
    timeoutMs,
    notFoundGraceMs: 30_000,
    retry: RETRY,
    random: () => {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      return s / 2 ** 32;
    },
  };
}

type Normal = { kind: string; [k: string]: unknown };
const withoutRuntime = (context: unknown) => ({ ...(context as object), runtime: null });

function normalXState(a: ExecutableActionObject): Normal {
  const params = a.params as Record<string, unknown>;
  if (a.type === 'xstate.emit') return { kind: 'emit', event: params.event };
  if (a.type === 'xstate.raise') return { kind: 'after', id: params.id, event: params.event, delay: params.delay };
  if (a.type === 'xstate.cancel') return { kind: 'cancel', id: params.sendId };
  return { kind: 'call', name: a.type, context: withoutRuntime((a.info as { context: unknown }).context), params: a.params };
}

function normalCompiled(e: Effect<unknown>): Normal {
  if (e.kind === 'call') return { kind: 'call', name: e.name, context: withoutRuntime(e.args.context), params: e.params };
  return e;
}

class XStateSide {
  private sink: ExecutableActionObject[] = [];
  private readonly scope: AnyActorScope;
  snapshot: ReturnType<typeof taskMachine.getInitialSnapshot>;

  constructor(input: TaskMachineInput) {
    const self = createActor(createMachine({}));
    this.scope = {
      self, id: '', sessionId: '', system: self.system, logger: () => {}, defer: () => {}, emit: () => {}, stopChild: () => {},
      actionExecutor: (action) => this.sink.push(action),
    };
    this.snapshot = taskMachine.getInitialSnapshot(this.scope, input);
  }

  take(): Normal[] {
    const out = this.sink.map(normalXState);
    this.sink = [];
    return out;
  }

  send(event: TaskEvent | { type: string }): void {
    this.snapshot = taskMachine.transition(this.snapshot, event as TaskEvent, this.scope);
  }
}

const remoteStatus: fc.Arbitrary<RemoteStatus> = fc.oneof(
  fc.record({ state: fc.constantFrom('waiting', 'queuing', 'generating'), progress: fc.option(fc.integer({ min: 0, max: 100 }), { nil: undefined }) }),
  fc.record({ state: fc.constant('success'), resultUrls: fc.constant(['https://r/1.mp4']), createTime: fc.constant(1_000), completeTime: fc.constant(61_000) }),
  fc.record({ state: fc.constant('fail'), failCode: fc.constantFrom(500, 501, 422, '400'), failMsg: fc.constantFrom('boom', 'content policy violation') }),
).map((s) => Object.fromEntries(Object.entries(s).filter(([, v]) => v !== undefined)) as unknown as RemoteStatus);

const providerError = fc.record({ code: fc.constantFrom(0, 401, 402, 408, 422, 429, 433, 455, 500, 501, 503, 1100), message: fc.constantFrom('e', 'timeout') });
const createResult: fc.Arbitrary<CreateTaskResult> = fc.oneof(
  fc.constant({ ok: true as const, remoteTaskId: 'job-1' }),
  providerError.map((error) => ({ ok: false as const, error })),
);
const getResult: fc.Arbitrary<GetTaskResult> = fc.oneof(
  remoteStatus.map((status) => ({ ok: true as const, status })),
  remoteStatus.map((status) => ({ ok: true as const, status })),
  providerError.map((error) => ({ ok: false as const, error })),
  fc.constant({ ok: false as const, error: { code: 404, message: 'not found' } }),
);

type Command =
  | { kind: 'event'; event: TaskEvent }
  | { kind: 'status'; stale: boolean; result: GetTaskResult }
  | { kind: 'timer'; pick: number }
  | { kind: 'advance'; ms: number };

const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 1, arbitrary: fc.constantFrom<TaskEvent>({ type: 'PAUSE' }, { type: 'CANCEL' }, { type: 'CALLBACK_CUE' }).map((event) => ({ kind: 'event' as const, event })) },
  { weight: 2, arbitrary: fc.constantFrom('kie-1', 'kie-2').map((accountId) => ({ kind: 'event' as const, event: { type: 'SUBMIT' as const, accountId } })) },
  { weight: 1, arbitrary: remoteStatus.map((status) => ({ kind: 'event' as const, event: { type: 'REMOTE_PROGRESS' as const, status } })) },
  { weight: 3, arbitrary: createResult.map((result) => ({ kind: 'event' as const, event: { type: 'CREATE_RESULT' as const, result } })) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('status' as const), stale: fc.boolean(), result: getResult }) },
  { weight: 5, arbitrary: fc.nat(7).map((pick) => ({ kind: 'timer' as const, pick })) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 400_000 }).map((ms) => ({ kind: 'advance' as const, ms })) },
);

const start = fc.record({
  start: fc.constantFrom<TaskMachineInput['start']>('queued', 'polling', 'retrying'),
  attempt: fc.integer({ min: 1, max: 4 }),
  generationRetries: fc.integer({ min: 0, max: 2 }),
  remoteTaskId: fc.option(fc.constant('job-0'), { nil: null }),
  accountId: fc.option(fc.constant('kie-1'), { nil: null }),
  submittedAt: fc.option(fc.integer({ min: 0, max: 100_000 }), { nil: null }),
  retryDueAt: fc.option(fc.integer({ min: 90_000, max: 120_000 }), { nil: null }),
  timeoutMs: fc.constantFrom(120_000, 600_000),
  seed: fc.nat(),
});

describe('the compiled task machine steps exactly like XState', () => {
  test.prop([start, fc.array(command, { maxLength: 60 })], { numRuns: 400 })('same states, contexts and effects for any event sequence', (s, commands) => {
    const clock = new Clock();
    const spec = { taskId: 't1', batchId: 'b1', userId: 'u1', rowIndex: 0, model: 'kling-2.6/text-to-video', resolution: '720p', durationSec: 5 };
    const base = { spec, start: s.start, attempt: s.attempt, generationRetries: s.generationRetries, remoteTaskId: s.remoteTaskId, accountId: s.accountId, submittedAt: s.submittedAt, retryDueAt: s.retryDueAt };
    const reference = new XStateSide({ ...base, runtime: runtime(clock, s.seed, s.timeoutMs) });
    const effects: Effect<unknown>[] = [];
    const state: MachineState<TaskContext> = compiled.initial({ ...base, runtime: runtime(clock, s.seed, s.timeoutMs) }, effects);
    const timers: Array<{ id: string; event: { type: string } }> = [];

    const compare = (what: string) => {
      expect(state.node.value, what).toEqual(reference.snapshot.value);
      expect(compiled.done(state), what).toBe(reference.snapshot.status === 'done');
      expect(withoutRuntime(state.context), what).toEqual(withoutRuntime(reference.snapshot.context));
      const mine = effects.splice(0).map(normalCompiled);
      expect(mine, what).toEqual(reference.take());
      for (const e of mine) {
        if (e.kind === 'cancel') timers.splice(timers.findIndex((t) => t.id === e.id) >>> 0, timers.some((t) => t.id === e.id) ? 1 : 0);
        if (e.kind === 'after') timers.push({ id: e.id as string, event: e.event as { type: string } });
      }
    };
    compare('initial');
    for (const [i, c] of commands.entries()) {
      if (compiled.done(state)) break;
      let event: TaskEvent | { type: string } | null = null;
      if (c.kind === 'advance') clock.t += c.ms;
      else if (c.kind === 'event') event = c.event;
      else if (c.kind === 'status') event = { type: 'STATUS_RESULT', queryId: state.context.poll.queryId - (c.stale ? 1 : 0), result: c.result };
      else if (timers.length > 0) event = timers.splice(c.pick % timers.length, 1)[0]!.event;
      if (!event) continue;
      reference.send(event);
      compiled.step(state, event as TaskEvent, effects);
      compare(`step ${i}: ${event.type}`);
    }
  });

  test('refuses a machine that uses what it does not implement', () => {
    const parallel = createMachine({ type: 'parallel', states: { a: {}, b: {} } });
    expect(() => new CompiledMachine(parallel)).toThrow(/parallel/);
  });
});
