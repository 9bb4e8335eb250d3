import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { StorageGate } from '../src/batch/storageGate.ts';

/** The host's reports of its store, each after a random gap of engine time (the clock never goes back). */
const reports = fc.array(
  fc.record({ kind: fc.constantFrom('failed', 'recovered'), gapMs: fc.integer({ min: 0, max: 120_000 }), message: fc.string({ maxLength: 8 }) }),
  { maxLength: 80 },
);

describe('StorageGate', () => {
  it('starts open; opening an open gate reports nothing; the first close wins, later ones change nothing', () => {
    const gate = new StorageGate();
    expect(gate.isOpen).toBe(true);
    expect(gate.open(5)).toBeNull();
    expect(gate.isOpen).toBe(true);
    expect(gate.close(10, 'disk full')).toBe(true);
    expect(gate.isOpen).toBe(false);
    expect(gate.close(40, 'still full')).toBe(false);
    // Down since the first failure, not the last one seen.
    expect(gate.open(100)).toBe(90);
    expect(gate.isOpen).toBe(true);
    expect(gate.open(120)).toBeNull();
  });

  test.prop([reports])('close() and open() say whether they changed the gate, and the gate is shut exactly from a first failure to the next recovery', (steps) => {
    const gate = new StorageGate();
    let now = 0;
    let failedAt: number | null = null;
    for (const { kind, gapMs, message } of steps) {
      now += gapMs;
      if (kind === 'failed') {
        expect(gate.close(now, message)).toBe(failedAt === null);
        failedAt ??= now;
      } else {
        expect(gate.open(now)).toBe(failedAt === null ? null : now - failedAt);
        failedAt = null;
      }
      expect(gate.isOpen).toBe(failedAt === null);
    }
  });

  test.prop([reports, fc.integer({ min: 0, max: 120_000 })])('the downtimes open() reports add up to the time the gate was seen shut', (steps, tailMs) => {
    const gate = new StorageGate();
    let now = 0;
    let seenShutMs = 0;
    let reported = 0;
    const recover = (at: number) => (reported += gate.open(at) ?? 0);
    for (const { kind, gapMs, message } of steps) {
      if (!gate.isOpen) seenShutMs += gapMs;
      now += gapMs;
      if (kind === 'failed') gate.close(now, message);
      else recover(now);
    }
    if (!gate.isOpen) seenShutMs += tailMs;
    recover(now + tailMs);
    expect(reported).toBe(seenShutMs);
    expect(gate.isOpen).toBe(true);
  });
});
