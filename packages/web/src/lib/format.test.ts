import { describe, expect, it } from 'vitest';
import { formatAgo, formatCredits, formatDuration, formatInt, formatMinutes, formatPercent, shortId, stateLabel } from './format.ts';

describe('format', () => {
  it('formats credits with thousands separators and plural', () => {
    expect(formatCredits(1)).toBe('1 credit');
    expect(formatCredits(12500)).toBe('12,500 credits');
    expect(formatInt(-1234567)).toBe('-1,234,567');
  });

  it('formats durations at every scale', () => {
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(42_000)).toBe('42 s');
    expect(formatDuration(185_000)).toBe('3 min 05 s');
    expect(formatDuration(2.5 * 3_600_000)).toBe('2 h 30 min');
    expect(formatDuration(50 * 3_600_000)).toBe('2 d 2 h');
    expect(formatDuration(-1)).toBe('—');
    expect(formatMinutes(42 * 60_000)).toBe('42 min');
    expect(formatMinutes(252 * 60_000)).toBe('4 h 12 min');
    expect(formatDuration(Number.NaN)).toBe('—');
  });

  it('formats percents, ages, ids and state labels', () => {
    expect(formatPercent(0.4567)).toBe('46%');
    expect(formatPercent(0.4567, 1)).toBe('45.7%');
    expect(formatAgo(1000, 2000)).toBe('just now');
    expect(formatAgo(0, 5 * 60_000)).toBe('5 min ago');
    expect(formatAgo(0, 3 * 3_600_000)).toBe('3 h ago');
    expect(shortId('0123456789abcdef')).toBe('89abcdef');
    expect(stateLabel('timedOut')).toBe('timed out');
    expect(stateLabel('pro_plus')).toBe('pro plus');
  });
});
