import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../src/config/validate.ts';
import { compareForAdmission, isSlowClass, RoundRobin, type SlowClass } from '../src/policy/ordering.ts';
import type { TaskSpec } from '../src/task/types.ts';

const slow: SlowClass[] = DEFAULT_CONFIG.plans.find((p) => p.id === 'pro')!.slowClasses;

function spec(rowIndex: number, resolution: string, durationSec: number): TaskSpec {
  return { taskId: `t${rowIndex}`, batchId: 'b', userId: 'u', rowIndex, model: 'sora-2-pro', resolution, durationSec };
}

const label = (s: TaskSpec) => `${s.rowIndex}:${s.resolution}/${s.durationSec}`;

describe('isSlowClass', () => {
  it('the shipped slow queue is 1080p 15 s only', () => {
    expect(slow).toEqual([{ resolution: '1080p', durationSec: 15 }]);
    expect(isSlowClass(spec(0, '1080p', 15), slow)).toBe(true);
    expect(isSlowClass(spec(0, '1080p', 10), slow)).toBe(false);
    expect(isSlowClass(spec(0, '720p', 15), slow)).toBe(false);
    expect(isSlowClass(spec(0, '720p', 10), slow)).toBe(false);
    expect(isSlowClass(spec(0, '1080p', 15), [])).toBe(false);
  });
});

describe('compareForAdmission', () => {
  it('fast queue (720p any, 1080p 10 s) before slow (1080p 15 s), shortest first, row order for ties', () => {
    const rows = [
      spec(0, '1080p', 15),
      spec(1, '720p', 15),
      spec(2, '1080p', 10),
      spec(3, '720p', 10),
      spec(4, '1080p', 15),
      spec(5, '720p', 15),
      spec(6, '720p', 10),
    ];
    const sorted = [...rows].sort(compareForAdmission(slow));
    expect(sorted.map(label)).toEqual([
      '2:1080p/10',
      '3:720p/10',
      '6:720p/10',
      '1:720p/15',
      '5:720p/15',
      '0:1080p/15',
      '4:1080p/15',
    ]);
  });

  it('is a strict total order on distinct rows', () => {
    const cmp = compareForAdmission(slow);
    expect(cmp(spec(0, '720p', 15), spec(1, '720p', 15))).toBeLessThan(0);
    expect(cmp(spec(1, '720p', 15), spec(0, '720p', 15))).toBeGreaterThan(0);
    expect(cmp(spec(9, '720p', 15), spec(0, '1080p', 15))).toBeLessThan(0);
    expect(cmp(spec(3, '720p', 15), spec(3, '720p', 15))).toBe(0);
  });

  const specs = fc
    .array(fc.record({ resolution: fc.constantFrom('720p', '1080p'), durationSec: fc.constantFrom(10, 15, 20) }), {
      maxLength: 60,
    })
    .map((xs) => xs.map((x, i) => spec(i, x.resolution, x.durationSec)));

  test.prop([specs, fc.boolean()])('sorted batches: fast then slow, shortest first in each, rows ascending on ties', (rows, reverse) => {
    const input = reverse ? [...rows].reverse() : rows;
    const sorted = [...input].sort(compareForAdmission(slow));
    expect(sorted).toHaveLength(rows.length);
    for (let i = 1; i < sorted.length; i++) {
      const a = sorted[i - 1]!;
      const b = sorted[i]!;
      const sa = isSlowClass(a, slow);
      const sb = isSlowClass(b, slow);
      expect(sa && !sb).toBe(false); // never a slow task before a fast one
      if (sa === sb) {
        expect(a.durationSec).toBeLessThanOrEqual(b.durationSec);
        if (a.durationSec === b.durationSec) expect(a.rowIndex).toBeLessThan(b.rowIndex);
      }
    }
  });

  test.prop([specs, fc.integer()])('the order does not depend on the input order', (rows, seed) => {
    const shuffled = [...rows];
    let s = seed >>> 0;
    for (let i = shuffled.length - 1; i > 0; i--) {
      s = (s * 1664525 + 1013904223) >>> 0;
      const j = s % (i + 1);
      [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
    }
    const cmp = compareForAdmission(slow);
    expect([...shuffled].sort(cmp).map(label)).toEqual([...rows].sort(cmp).map(label));
  });
});

describe('RoundRobin', () => {
  it('rotates: each round starts after the key served last', () => {
    const rr = new RoundRobin<string>();
    rr.add('a');
    rr.add('b');
    rr.add('c');
    rr.add('a'); // no duplicates
    expect(rr.size).toBe(3);
    expect(rr.order()).toEqual(['a', 'b', 'c']);
    rr.served('a');
    expect(rr.order()).toEqual(['b', 'c', 'a']);
    rr.served('c');
    expect(rr.order()).toEqual(['a', 'b', 'c']);
    rr.served('b');
    expect(rr.order()).toEqual(['c', 'a', 'b']);
    rr.served('zzz'); // unknown: no effect
    expect(rr.order()).toEqual(['c', 'a', 'b']);
  });

  it('remove keeps the cursor on the same next key', () => {
    const rr = new RoundRobin<string>();
    for (const k of ['a', 'b', 'c', 'd']) rr.add(k);
    rr.served('b'); // next: c
    rr.remove('a'); // before the cursor
    expect(rr.order()).toEqual(['c', 'd', 'b']);
    rr.remove('c'); // at the cursor: next is d
    expect(rr.order()).toEqual(['d', 'b']);
    rr.remove('d'); // at the cursor, last: wraps
    expect(rr.order()).toEqual(['b']);
    rr.remove('nope');
    rr.remove('b');
    expect(rr.size).toBe(0);
    expect(rr.order()).toEqual([]);
    rr.add('x');
    expect(rr.order()).toEqual(['x']);
  });

  it('a huge batch cannot starve a small one', () => {
    const rr = new RoundRobin<string>();
    rr.add('huge');
    rr.add('small');
    const served: string[] = [];
    for (let i = 0; i < 6; i++) {
      const k = rr.order()[0]!;
      served.push(k);
      rr.served(k);
    }
    expect(served).toEqual(['huge', 'small', 'huge', 'small', 'huge', 'small']);
  });

  test.prop([
    fc.integer({ min: 1, max: 12 }),
    fc.integer({ min: 0, max: 11 }),
    fc.array(fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }), { minLength: 1, maxLength: 120 }),
  ])('fairness: a key that always has work is served within one round (size steps)', (n, watchedRaw, hasWorkSteps) => {
    const rr = new RoundRobin<number>();
    for (let k = 0; k < n; k++) rr.add(k);
    const watched = watchedRaw % n;
    let sinceServed = 0;
    for (const hasWork of hasWorkSteps) {
      // serve the first key in order that has work; the watched key always has work
      const k = rr.order().find((key) => key === watched || hasWork[key]!)!;
      rr.served(k);
      if (k === watched) sinceServed = 0;
      else {
        sinceServed++;
        expect(sinceServed).toBeLessThan(n);
      }
    }
  });

  test.prop([
    fc.integer({ min: 2, max: 10 }),
    fc.array(fc.oneof(fc.record({ op: fc.constant('serve' as const) }), fc.record({ op: fc.constant('remove' as const), key: fc.nat(20) }), fc.record({ op: fc.constant('add' as const), key: fc.nat(20) })), { maxLength: 80 }),
  ])('order() is always a rotation of the keys, whatever adds/removes/serves happen', (n, ops) => {
    const rr = new RoundRobin<number>();
    const keys: number[] = [];
    for (let k = 100; k < 100 + n; k++) {
      rr.add(k);
      keys.push(k);
    }
    for (const op of ops) {
      if (op.op === 'serve') {
        const first = rr.order()[0];
        if (first !== undefined) rr.served(first);
      } else if (op.op === 'remove') {
        rr.remove(op.key);
        const i = keys.indexOf(op.key);
        if (i >= 0) keys.splice(i, 1);
      } else {
        rr.add(op.key);
        if (!keys.includes(op.key)) keys.push(op.key);
      }
      const order = rr.order();
      expect(rr.size).toBe(keys.length);
      expect([...order].sort((a, b) => a - b)).toEqual([...keys].sort((a, b) => a - b));
      if (order.length > 0) {
        const start = keys.indexOf(order[0]!);
        expect(order).toEqual([...keys.slice(start), ...keys.slice(0, start)]);
      }
    }
  });
});
