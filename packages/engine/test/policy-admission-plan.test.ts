import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { admissionRoom, planAdmission, type AdmissionStep } from '../src/policy/admission.ts';

const open = { providerOpen: true, running: 0, providerLimit: 100, createsFree: 20, slotWaiters: [] as string[] };
const tasks = (prefix: string, n: number, weight = 1 / 3) => Array.from({ length: n }, (_, i) => ({ taskId: `${prefix}${i}`, weight }));
const admitted = (steps: AdmissionStep[]) => steps.filter((s) => s.kind === 'admit').map((s) => s.taskId);

describe('admission planner', () => {
  it('grants waiting tasks first, in the order they asked, and admits nothing while any still waits', () => {
    const users = [{ userId: 'u', capacityUsed: 0, batches: [{ batchId: 'b', paused: false, waiting: tasks('t', 3) }] }];
    expect(planAdmission({ ...open, createsFree: 2, slotWaiters: ['w1', 'w2', 'w3'], users })).toEqual([
      { kind: 'grant', taskId: 'w1' },
      { kind: 'grant', taskId: 'w2' },
    ]);
    const steps = planAdmission({ ...open, createsFree: 3, slotWaiters: ['w1'], users });
    expect(steps.map((s) => `${s.kind}:${s.taskId}`)).toEqual(['grant:w1', 'admit:t0', 'grant:t0', 'admit:t1', 'grant:t1']);
  });

  it('admits nothing while the provider is throttled or halted', () => {
    const users = [{ userId: 'u', capacityUsed: 0, batches: [{ batchId: 'b', paused: false, waiting: tasks('t', 3) }] }];
    expect(planAdmission({ ...open, providerOpen: false, slotWaiters: ['w'], users })).toEqual([]);
    expect(admissionRoom({ ...open, providerOpen: false })).toBe(0);
  });

  it("fills a user's capacity and no more: three tasks of 1/3, then the fourth waits", () => {
    const users = [{ userId: 'u', capacityUsed: 0, batches: [{ batchId: 'b', paused: false, waiting: tasks('t', 5) }] }];
    expect(admitted(planAdmission({ ...open, users }))).toEqual(['t0', 't1', 't2']);
  });

  it('keeps the seed order inside a batch: a heavy head is not overtaken by the lighter tasks behind it', () => {
    const waiting = [{ taskId: 'heavy', weight: 1 / 2 }, ...tasks('light', 3)];
    const users = [{ userId: 'u', capacityUsed: 2 / 3, batches: [{ batchId: 'b', paused: false, waiting }] }];
    expect(admitted(planAdmission({ ...open, users }))).toEqual([]);
  });

  it('takes turns between users, and between a user\'s batches', () => {
    const users = [
      { userId: 'a', capacityUsed: 0, batches: [{ batchId: 'a1', paused: false, waiting: tasks('a1-', 2, 0.1) }, { batchId: 'a2', paused: false, waiting: tasks('a2-', 2, 0.1) }] },
      { userId: 'b', capacityUsed: 0, batches: [{ batchId: 'b1', paused: false, waiting: tasks('b1-', 4, 0.1) }] },
    ];
    expect(admitted(planAdmission({ ...open, createsFree: 6, users }))).toEqual(['a1-0', 'b1-0', 'a2-0', 'b1-1', 'a1-1', 'b1-2']);
  });

  it('passes over paused batches and stops at the global cap', () => {
    const users = [
      { userId: 'a', capacityUsed: 0, batches: [{ batchId: 'p', paused: true, waiting: tasks('p', 3, 0.1) }, { batchId: 'q', paused: false, waiting: tasks('q', 5, 0.1) }] },
    ];
    expect(admitted(planAdmission({ ...open, running: 97, users }))).toEqual(['q0', 'q1', 'q2']);
  });
});

const userArb = fc.record({
  capacityUsed: fc.constantFrom(0, 1 / 4, 1 / 3, 1 / 2, 2 / 3, 1),
  batches: fc.array(
    fc.record({ paused: fc.boolean(), waiting: fc.array(fc.constantFrom(1, 1 / 2, 1 / 3, 1 / 4, 1 / 6), { maxLength: 8 }) }),
    { minLength: 1, maxLength: 3 },
  ),
});

const inputArb = fc
  .record({
    providerOpen: fc.boolean(),
    running: fc.nat(30),
    providerLimit: fc.integer({ min: 1, max: 30 }),
    createsFree: fc.nat(25),
    waiters: fc.nat(5),
    users: fc.array(userArb, { maxLength: 4 }),
  })
  .map(({ users, waiters, ...limits }) => ({
    ...limits,
    slotWaiters: Array.from({ length: waiters }, (_, i) => `w${i}`),
    users: users.map((u, i) => ({
      userId: `u${i}`,
      capacityUsed: u.capacityUsed,
      batches: u.batches.map((b, j) => ({ batchId: `u${i}b${j}`, paused: b.paused, waiting: b.waiting.map((weight, k) => ({ taskId: `u${i}b${j}t${k}`, weight })) })),
    })),
  }));

describe('admission planner invariants', () => {
  test.prop([inputArb], { numRuns: 500 })('never exceeds the create window, the global cap or any user capacity', (input) => {
    const steps = planAdmission(input);
    const grants = steps.filter((s) => s.kind === 'grant');
    const admits = steps.filter((s): s is Extract<AdmissionStep, { kind: 'admit' }> => s.kind === 'admit');
    if (!input.providerOpen) expect(steps).toEqual([]);
    expect(grants.length).toBeLessThanOrEqual(input.createsFree);
    expect(input.running + admits.length <= input.providerLimit || admits.length === 0).toBe(true);
    expect(admits.length).toBeLessThanOrEqual(admissionRoom(input));
    for (const u of input.users) {
      const added = admits.filter((a) => a.userId === u.userId).reduce((n, a) => n + a.weight, 0);
      if (added > 0) expect(u.capacityUsed + added).toBeLessThanOrEqual(1 + 1e-9);
    }
    // Every admitted task is granted its slot at once; waiting tasks are granted first, in order.
    const order = steps.map((s) => `${s.kind}:${s.taskId}`);
    admits.forEach((a) => expect(order[order.indexOf(`admit:${a.taskId}`) + 1]).toBe(`grant:${a.taskId}`));
    const waiterGrants = grants.filter((g) => g.taskId.startsWith('w')).map((g) => g.taskId);
    expect(waiterGrants).toEqual(input.slotWaiters.slice(0, waiterGrants.length));
    if (admits.length > 0) expect(waiterGrants).toEqual(input.slotWaiters);
  });

  test.prop([inputArb], { numRuns: 500 })('admits in seed order within a batch, never from a paused batch, and stops only when nothing fits', (input) => {
    const steps = planAdmission(input);
    const admits = steps.filter((s): s is Extract<AdmissionStep, { kind: 'admit' }> => s.kind === 'admit');
    const used = new Map(input.users.map((u) => [u.userId, u.capacityUsed]));
    const next = new Map<string, number>();
    for (const a of admits) {
      const batch = input.users.flatMap((u) => u.batches).find((b) => b.batchId === a.batchId)!;
      expect(batch.paused).toBe(false);
      const i = next.get(a.batchId) ?? 0;
      expect(batch.waiting.at(i)!.taskId).toBe(a.taskId);
      next.set(a.batchId, i + 1);
      used.set(a.userId, used.get(a.userId)! + a.weight);
    }
    // Maximal: with room left and nobody waiting, no unpaused batch head fits its user.
    const waitersLeft = input.slotWaiters.length > input.createsFree;
    const roomLeft = admissionRoom(input) - admits.length > 0 && input.createsFree - input.slotWaiters.length - admits.length > 0;
    if (input.providerOpen && !waitersLeft && roomLeft) {
      for (const u of input.users) {
        for (const b of u.batches) {
          const head = b.waiting.at(next.get(b.batchId) ?? 0);
          if (!b.paused && head) expect(used.get(u.userId)! + head.weight).toBeGreaterThan(1 + 1e-9);
        }
      }
    }
  });
});
