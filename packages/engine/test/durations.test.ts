import { fc, test } from '@fast-check/vitest';
import { describe } from 'vitest';
import { acceptsDuration, allowedDurations } from '../src/config/durations.ts';

const listed = fc.uniqueArray(fc.integer({ min: 1, max: 30 }), { minLength: 1, maxLength: 6 }).map((list) => ({ durations: { list } }));
const ranged = fc.tuple(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 0, max: 15 })).map(([min, span]) => ({ durations: { min, max: min + span } }));
const seconds = fc.oneof(fc.integer({ min: -2, max: 40 }), fc.double({ min: -2, max: 40, noNaN: true }));

describe('durations', () => {
  test.prop([fc.oneof(listed, ranged), seconds])('a duration is accepted exactly when it is one of the allowed ones', (entry, sec) => {
    return acceptsDuration(entry, sec) === allowedDurations(entry).includes(sec);
  });
});
