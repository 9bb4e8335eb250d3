import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { getBatchConfig } from '../src/config/plans.ts';
import type { DegradationConfig } from '../src/config/schema.ts';
import {
  failureRate,
  initialDegradation,
  rebaseLevel,
  recordOutcome,
  type DegradationState,
  type LevelChange,
} from '../src/policy/degradation.ts';

const cfg: DegradationConfig = getBatchConfig('pro').degradation;

/** Feeds outcomes (true = failure) and collects the level changes. */
function run(plan: number, outcomes: boolean[], config = cfg, start = initialDegradation(plan)) {
  let state: DegradationState = start;
  const changes: LevelChange[] = [];
  for (const failed of outcomes) {
    const r = recordOutcome(state, failed, plan, config);
    state = r.state;
    if (r.change) changes.push(r.change);
  }
  return { state, changes };
}
const S = (n: number) => Array<boolean>(n).fill(false);
const F = (n: number) => Array<boolean>(n).fill(true);

describe('degradation: the seed rule', () => {
  it('shipped config: window 20, at least 10 samples, > 30%, x0.6, +1 after a healthy window of 10 (<= 20% failed)', () => {
    expect(cfg).toEqual({
      windowSize: 20,
      minSamples: 10,
      failureRateThreshold: 0.3,
      decreaseFactor: 0.6,
      recoverWindow: 10,
      recoverBelowRate: 0.2,
      recoverStep: 1,
    });
  });

  it('failureRate', () => {
    expect(failureRate([])).toBe(0);
    expect(failureRate([true, false, false, false])).toBe(0.25);
    expect(failureRate(F(3))).toBe(1);
  });

  it('4 failures in 10 (40% > 30%) degrades pro 3 -> 2 on the 10th outcome, not before', () => {
    const before = run(3, [...S(6), ...F(3)]);
    expect(before.state.level).toBe(3); // 9 samples < minSamples
    const { state, changes } = run(3, [...S(6), ...F(4)]);
    expect(changes).toEqual([{ from: 3, to: 2, reason: 'degraded' }]);
    expect(state).toEqual({ level: 2, window: [] }); // fresh window after a change
  });

  it('exactly 30% does not degrade (strictly above the threshold)', () => {
    expect(run(3, [...S(7), ...F(3)]).changes).toEqual([]);
    // the 11th outcome, a failure, makes it 4/11 = 36%
    expect(run(3, [...S(7), ...F(4)]).changes).toEqual([{ from: 3, to: 2, reason: 'degraded' }]);
  });

  it('fewer than minSamples outcomes never degrade, even all failures', () => {
    expect(run(5, F(9)).state.level).toBe(5);
    expect(run(5, F(10)).state.level).toBe(3);
  });

  it('only the last windowSize outcomes count', () => {
    // 10 failures long ago, then 20 successes: the window is clean; 5 failures -> 5/20 = 25%
    const { changes, state } = run(3, [...S(10), ...S(20), ...F(5)], { ...cfg, recoverBelowRate: 0 });
    expect(changes).toEqual([]);
    expect(state.window).toHaveLength(20);
    // 7 failures -> 7/20 = 35%
    expect(run(3, [...S(30), ...F(7)]).changes).toEqual([{ from: 3, to: 2, reason: 'degraded' }]);
  });

  it('x0.6 rounded, never below 1: 10 -> 6 -> 4 -> 2 -> 1 -> 1; 5 -> 3 -> 2 -> 1', () => {
    const levels = (plan: number) => {
      const out = [plan];
      let state = initialDegradation(plan);
      for (let i = 0; i < 6; i++) {
        state = run(plan, F(10), cfg, state).state;
        out.push(state.level);
      }
      return out;
    };
    expect(levels(10)).toEqual([10, 6, 4, 2, 1, 1, 1]);
    expect(levels(5)).toEqual([5, 3, 2, 1, 1, 1, 1]);
    expect(levels(3)).toEqual([3, 2, 1, 1, 1, 1, 1]);
    expect(levels(1)).toEqual([1, 1, 1, 1, 1, 1, 1]);
  });

  it('at level 1 a failing window reports no change', () => {
    expect(run(1, F(50)).changes).toEqual([]);
  });
});

describe('degradation: recovery (AIMD)', () => {
  it('+1 after each healthy window of 10 outcomes since the last change, up to the plan', () => {
    const degraded = run(5, F(10)).state; // 5 -> 3
    expect(degraded.level).toBe(3);
    expect(run(5, S(9), cfg, degraded).state.level).toBe(3);
    const a = run(5, S(10), cfg, degraded);
    expect(a.changes).toEqual([{ from: 3, to: 4, reason: 'recovered' }]);
    expect(a.state.window).toEqual([]);
    const b = run(5, S(50), cfg, degraded);
    expect(b.changes).toEqual([
      { from: 3, to: 4, reason: 'recovered' },
      { from: 4, to: 5, reason: 'recovered' },
    ]);
    expect(b.state.level).toBe(5);
  });

  it('recovers despite a steady background of transient failures (2 in 10), not with 3 in 10', () => {
    const degraded = run(5, F(10)).state;
    const background = [false, false, true, false, false, false, false, true, false, false];
    expect(run(5, background, cfg, degraded).changes).toEqual([{ from: 3, to: 4, reason: 'recovered' }]);
    const worse = [false, true, false, false, true, false, false, true, false, false];
    expect(run(5, worse, cfg, degraded).changes).toEqual([]);
  });

  it('recoverStep is capped at the plan', () => {
    const c = { ...cfg, recoverStep: 5 };
    const degraded = run(10, F(10), c).state; // 10 -> 6
    expect(run(10, S(10), c, degraded).changes).toEqual([{ from: 6, to: 10, reason: 'recovered' }]);
  });

  it('no change at the plan level, however long the run', () => {
    expect(run(3, S(200)).changes).toEqual([]);
    expect(run(3, S(200)).state.level).toBe(3);
  });
});

const configArb = fc.record({
  windowSize: fc.integer({ min: 1, max: 30 }),
  minSamples: fc.integer({ min: 1, max: 30 }),
  failureRateThreshold: fc.double({ min: 0, max: 1, noNaN: true }),
  decreaseFactor: fc.double({ min: 0.01, max: 0.99, noNaN: true }),
  recoverWindow: fc.integer({ min: 1, max: 30 }),
  recoverBelowRate: fc.double({ min: 0, max: 1, noNaN: true }),
  recoverStep: fc.integer({ min: 1, max: 5 }),
}).map((c) => ({ ...c, recoverWindow: Math.min(c.recoverWindow, c.windowSize), recoverBelowRate: Math.min(c.recoverBelowRate, c.failureRateThreshold * 0.99) }));

describe('degradation: properties', () => {
  test.prop([fc.integer({ min: 1, max: 30 }), fc.array(fc.boolean(), { maxLength: 300 }), configArb])(
    'the level always stays within [1, plan]',
    (plan, outcomes, config) => {
      let state = initialDegradation(plan);
      for (const failed of outcomes) {
        state = recordOutcome(state, failed, plan, config).state;
        expect(Number.isInteger(state.level)).toBe(true);
        expect(state.level).toBeGreaterThanOrEqual(1);
        expect(state.level).toBeLessThanOrEqual(plan);
        expect(state.window.length).toBeLessThanOrEqual(config.windowSize);
      }
    },
  );

  test.prop([fc.integer({ min: 1, max: 30 }), fc.array(fc.boolean(), { maxLength: 300 })])(
    'shipped config: every degradation is x0.6 rounded (strictly lower), every recovery is +1',
    (plan, outcomes) => {
      let state = initialDegradation(plan);
      for (const failed of outcomes) {
        const r = recordOutcome(state, failed, plan, cfg);
        if (r.change) {
          expect(r.change.from).toBe(state.level);
          expect(r.change.to).toBe(r.state.level);
          if (r.change.reason === 'degraded') {
            expect(failed).toBe(true);
            expect(r.change.to).toBe(Math.max(1, Math.round(r.change.from * 0.6)));
            expect(r.change.to).toBeLessThan(r.change.from);
          } else {
            expect(failed).toBe(false);
            expect(r.change.to).toBe(r.change.from + 1);
          }
        } else {
          expect(r.state.level).toBe(state.level);
        }
        state = r.state;
      }
    },
  );

  test.prop([fc.integer({ min: 1, max: 30 }), fc.array(fc.boolean(), { maxLength: 200 }), configArb])(
    'after any history, a long run of successes recovers to the plan level',
    (plan, outcomes, config) => {
      const { state } = run(plan, outcomes, config);
      const needed = Math.ceil((plan - state.level) / config.recoverStep) * config.recoverWindow + config.recoverWindow;
      const after = run(plan, S(needed), config, state);
      expect(after.state.level).toBe(plan);
      expect(after.changes.every((c) => c.reason === 'recovered' && c.to > c.from)).toBe(true);
    },
  );

  test.prop([fc.integer({ min: 2, max: 30 })])('a fully failing window degrades every plan > 1 below its plan level', (plan) => {
    expect(run(plan, F(10)).state.level).toBeLessThan(plan);
  });

  // Regression: with a decreaseFactor above 0.75 (the schema allows (0, 1)), Math.round(level x factor) used to
  // equal the level (level 2, factor 0.8: round(1.6) = 2): the user was never degraded and every failure over the
  // threshold reported a "degraded" change { from: 2, to: 2 }. A degradation must go at least one step down.
  it('a degradation always lowers the level (decreaseFactor 0.8 at level 2)', () => {
    const c = { ...cfg, decreaseFactor: 0.8 };
    const { state, changes } = run(2, F(10), c);
    expect(changes).toEqual([{ from: 2, to: 1, reason: 'degraded' }]);
    expect(state.level).toBe(1);
  });

  test.prop([fc.integer({ min: 1, max: 30 }), fc.array(fc.boolean(), { maxLength: 300 }), configArb])(
    'any config: a reported change always changes the level, down for degraded, up for recovered',
    (plan, outcomes, config) => {
      const { changes } = run(plan, outcomes, config);
      for (const c of changes) {
        if (c.reason === 'degraded') {
          expect(c.to).toBeLessThan(c.from);
          expect(c.to).toBe(Math.max(1, Math.min(c.from - 1, Math.round(c.from * config.decreaseFactor))));
        } else expect(c.to).toBeGreaterThan(c.from);
      }
    },
  );
});

describe('rebaseLevel', () => {
  it('an undegraded user follows the new plan, up or down', () => {
    expect(rebaseLevel(initialDegradation(3), 3, 5).level).toBe(5);
    expect(rebaseLevel(initialDegradation(5), 5, 3).level).toBe(3);
  });

  it('a degraded user keeps the level, capped by the new plan', () => {
    const degraded: DegradationState = { level: 2, window: [true, false] };
    expect(rebaseLevel(degraded, 3, 10)).toEqual({ level: 2, window: [true, false] });
    expect(rebaseLevel({ ...degraded, level: 4 }, 5, 3).level).toBe(3);
    expect(rebaseLevel({ ...degraded, level: 4 }, 10, 1).level).toBe(1);
  });

  test.prop([fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 30 })])(
    'the rebased level is within [1, newPlan]',
    (oldPlan, newPlan, levelRaw) => {
      const level = Math.min(levelRaw, oldPlan);
      const r = rebaseLevel({ level, window: [] }, oldPlan, newPlan);
      expect(r.level).toBeGreaterThanOrEqual(1);
      expect(r.level).toBeLessThanOrEqual(newPlan);
      if (level === oldPlan) expect(r.level).toBe(newPlan);
    },
  );
});
