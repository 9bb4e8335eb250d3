import { ENGINE_CODES } from '@clipfleet/engine';
import { describe, expect, it } from 'vitest';
import { failureCause } from './observer.ts';

describe('failureCause', () => {
  it('names the cause with the engine\'s own decision for the last code', () => {
    expect(failureCause(501, 'Your prompt was flagged by the safety system')).toBe('content_policy');
    expect(failureCause(400, 'content policy violation')).toBe('content_policy');
    expect(failureCause(501, 'generation failed')).toBe('generation');
    expect(failureCause(500, 'internal error')).toBe('retries_exhausted');
    expect(failureCause(0, 'network error: fetch failed')).toBe('retries_exhausted');
    expect(failureCause(422, 'invalid aspect ratio')).toBe('rejected');
    expect(failureCause(ENGINE_CODES.submitUncertain, 'interrupted while submitting')).toBe('submit_uncertain');
  });
});
