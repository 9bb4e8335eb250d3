import { describe, expect, it } from 'vitest';
import { CallbackLossEstimator } from '../src/policy/callbackLoss.ts';

describe('callback loss estimator', () => {
  const options = { window: 10, priorLost: 1, priorHeard: 4, graceMs: 1_000 };

  it('starts from the prior and learns from confirmed successes, with late callbacks counted as heard', () => {
    const e = new CallbackLossEstimator(options);
    expect(e.rate(0)).toBeCloseTo(1 / 5);
    e.heard('a', true, 0);
    e.confirmed('a', 0); // heard before the poll confirmed it
    e.confirmed('b', 0);
    e.heard('b', false, 0); // the callback trails the poll, within the grace
    e.confirmed('c', 0); // not heard (yet): counted as lost at once
    expect(e.rate(500)).toBeCloseTo(2 / 8);
    e.heard('c', false, 500); // within the grace: it was not lost after all
    expect(e.rate(500)).toBeCloseTo(1 / 8);
    e.confirmed('d', 0);
    e.heard('d', false, 1_000); // past the grace: stays lost
    expect(e.rate(1_000)).toBeCloseTo(2 / 9);
  });

  it('follows a change: the window forgets old outcomes', () => {
    const e = new CallbackLossEstimator(options);
    for (let i = 0; i < 10; i++) {
      e.heard(`h${i}`, true, 0);
      e.confirmed(`h${i}`, 0);
    }
    for (let i = 0; i < 10; i++) e.confirmed(`l${i}`, 0);
    expect(e.rate(2_000)).toBeCloseTo(11 / 15);
  });

  it('a resumed attempt counts as lost until it is heard; callbacks for ids nobody watches change nothing', () => {
    const e = new CallbackLossEstimator(options);
    e.resumed('r');
    expect(e.lossFor('r', 0)).toBe(1);
    e.heard('stranger', false, 0);
    expect(e.rate(0)).toBeCloseTo(1 / 5);
    e.heard('r', true, 0);
    expect(e.lossFor('r', 0)).toBeCloseTo(1 / 5);
  });
});
