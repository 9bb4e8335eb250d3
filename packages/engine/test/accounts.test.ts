import { describe, expect, it } from 'vitest';
import { LocalLimits, type EngineEvent, type PermitAnswer, type PermitRequest, type ProviderLimits } from '../src/index.ts';
import { settle } from './support/steppingClock.ts';
import { CLASSES, configWith, harness, makeTasks } from './support/fleet.ts';
import type { AttemptScript } from './support/scriptedGateway.ts';

const [SORA_720_10] = CLASSES as [(typeof CLASSES)[number]];
const repeat = <T,>(n: number, x: T): T[] => Array.from({ length: n }, () => x);
const ofType = <T extends EngineEvent['type']>(events: EngineEvent[], type: T) =>
  events.filter((e): e is Extract<EngineEvent, { type: T }> => e.type === type);
const twoAccounts = configWith((c) => {
  c.provider.accounts = [{ id: 'a' }, { id: 'b' }];
});
/** Ten enterprise users with 40 short tasks each: enough to keep every window full. */
function addUsers(h: ReturnType<typeof harness>, users = 10, tasks = 40): void {
  for (let u = 0; u < users; u++) h.supervisor.addBatch({ batchId: `b${u}`, userId: `u${u}`, tasks: makeTasks(`b${u}`, `u${u}`, repeat(tasks, SORA_720_10)) });
}
const enterprise = (users = 10) => Object.fromEntries(Array.from({ length: users }, (_, u) => [`u${u}`, 'enterprise']));

describe('several KIE accounts', () => {
  it('spreads creates over the accounts: two windows submit twice as fast as one', async () => {
    // A cap high enough that only the windows limit the pace: 40 users x 10 running.
    const wide = (accounts: { id: string }[]) => configWith((c) => void Object.assign(c.provider, { maxRunning: 1_000, accounts }));
    const one = harness({ config: wide([{ id: 'a' }]), userPlans: enterprise(40) });
    const two = harness({ config: wide([{ id: 'a' }, { id: 'b' }]), userPlans: enterprise(40) });
    for (const h of [one, two]) addUsers(h, 40, 20);
    await settle();
    expect(one.gateway.creates).toHaveLength(20);
    expect(two.gateway.creates).toHaveLength(40);
    expect(two.gateway.creates.filter((c) => c.accountId === 'a')).toHaveLength(20);
    await Promise.all([one.run(), two.run()]);
    expect(ofType(two.events, 'task.succeeded')).toHaveLength(800);
    const lastCreate = (h: typeof one) => Math.max(...h.gateway.creates.map((c) => c.at));
    expect(lastCreate(two)).toBeLessThan(lastCreate(one) * 0.6);
  });

  it('a 429 throttles only its account: the other one keeps submitting', async () => {
    const scripts: Record<string, AttemptScript[]> = { 'b0-t0': [{ create: { code: 429, message: 'rate limited', retryAfterMs: 120_000 } }] };
    const h = harness({ config: twoAccounts, scripts, userPlans: enterprise(2) });
    addUsers(h, 2, 30);
    await settle();
    const throttled = ofType(h.events, 'provider.throttled');
    expect(throttled).toHaveLength(1);
    const [first] = h.gateway.creates;
    expect(throttled[0]).toMatchObject({ accountId: first!.accountId, code: 429, untilAt: 120_000 });
    expect(h.supervisor.status().accounts.map((a) => a.gate).sort()).toEqual(['healthy', 'throttled']);
    await h.run();
    const during = h.gateway.creates.filter((c) => c.at > 0 && c.at < 120_000);
    expect(during.length).toBeGreaterThan(0);
    expect(during.every((c) => c.accountId !== first!.accountId)).toBe(true);
    expect(ofType(h.events, 'task.succeeded')).toHaveLength(60);
  });

  it('a revoked key halts only its account until an operator resumes it', async () => {
    const scripts: Record<string, AttemptScript[]> = { 'b0-t0': [{ create: { code: 401, message: 'unauthorized' } }] };
    const h = harness({ config: twoAccounts, scripts, userPlans: enterprise(1) });
    addUsers(h, 1, 20);
    await h.run();
    const halted = ofType(h.events, 'provider.halted');
    expect(halted).toHaveLength(1);
    // Every task ended on the healthy account, except none: the halted one's task went back to the line.
    expect(ofType(h.events, 'task.succeeded')).toHaveLength(20);
    expect(h.supervisor.status().provider).toBe('healthy');
    h.supervisor.resumeProvider();
    expect(ofType(h.events, 'provider.resumed')).toEqual([expect.objectContaining({ accountId: halted[0]!.accountId })]);
  });

  it('a callback on another account\u2019s URL does not cue the job', async () => {
    const long: AttemptScript = { genMs: 300_000, outcome: 'success' };
    const h = harness({ config: twoAccounts, scripts: { 'b0-t0': [long] }, userPlans: enterprise(1) });
    h.supervisor.addBatch({ batchId: 'b0', userId: 'u0', tasks: makeTasks('b0', 'u0', [SORA_720_10]) });
    await settle();
    const [create] = h.gateway.creates;
    const other = create!.accountId === 'a' ? 'b' : 'a';
    const before = h.gateway.gets.length;
    h.supervisor.deliverCallback(create!.remoteTaskId!, { state: 'success' }, false, other);
    await settle();
    expect(h.gateway.gets.length).toBe(before);
    h.supervisor.deliverCallback(create!.remoteTaskId!, { state: 'success' }, false, create!.accountId);
    await settle();
    expect(h.gateway.gets.length).toBe(before + 1);
  });
});

/** A permit in front of the in-memory one that answers later and denies on a schedule, like a shared store. */
class DeferredLimits implements ProviderLimits {
  readonly inner = new LocalLimits();
  readonly requests: PermitRequest[] = [];
  granted = 0;
  released = 0;
  constructor(private readonly deny: (request: PermitRequest, n: number) => PermitAnswer | null) {}
  configure = this.inner.configure.bind(this.inner);
  room = this.inner.room.bind(this.inner);
  created = this.inner.created.bind(this.inner);
  share(): void {}
  release(taskId: string): void {
    this.released++;
    this.inner.release(taskId);
  }
  async acquire(request: PermitRequest): Promise<PermitAnswer> {
    const n = this.requests.push(request);
    await Promise.resolve();
    const answer = this.deny(request, n) ?? this.inner.acquire(request);
    if (answer.granted) this.granted++;
    return answer;
  }
}

describe('the submit permit port', () => {
  it('a denied permit waits and asks again; it is not a provider failure (no AIMD, no retry budget)', async () => {
    // Every third request is refused: another process took the window.
    const limits = new DeferredLimits((r, n) => (n % 3 === 0 ? { granted: false, reason: 'window', retryAt: r.now + 2_000 } : null));
    const h = harness({ config: twoAccounts, userPlans: enterprise(2), limits });
    addUsers(h, 2, 30);
    await h.run();
    expect(ofType(h.events, 'task.succeeded')).toHaveLength(60);
    expect(h.gateway.creates).toHaveLength(60);
    expect(limits.granted).toBe(60);
    expect(limits.requests.length).toBeGreaterThan(80);
    expect(ofType(h.events, 'provider.limitChanged')).toEqual([]);
    expect(ofType(h.events, 'concurrency.changed')).toEqual([]);
    expect(ofType(h.events, 'task.retryScheduled')).toEqual([]);
    // Every job that ran gave its slot back.
    expect(limits.released).toBe(60);
    expect(h.supervisor.status().accounts.every((a) => a.running === 0)).toBe(true);
  });

  it('another process\u2019s throttle reaches this one through a denial: the account waits it out', async () => {
    const limits = new DeferredLimits((r, n) => (n === 1 ? { granted: false, reason: 'throttled', code: 429, retryAt: r.now + 30_000 } : null));
    const h = harness({ config: configWith(() => {}), userPlans: enterprise(1), limits });
    addUsers(h, 1, 5);
    await settle();
    expect(ofType(h.events, 'provider.throttled')).toEqual([expect.objectContaining({ accountId: 'default', untilAt: 30_000 })]);
    // The permits asked together with the denied one were granted before the throttle was known.
    expect(h.gateway.creates.map((c) => c.taskId)).not.toContain('b0-t0');
    await h.run();
    expect(h.gateway.creates.filter((c) => c.at > 0 && c.at < 30_000)).toEqual([]);
    expect(h.gateway.creates.find((c) => c.taskId === 'b0-t0')!.at).toBe(30_000);
    expect(ofType(h.events, 'task.succeeded')).toHaveLength(5);
  });
});
