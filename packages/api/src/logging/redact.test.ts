import { describe, expect, it } from 'vitest';
import { lineScrubber, scrubUrl } from './redact.ts';

describe('log scrubbing', () => {
  const scrub = lineScrubber(['super-secret-admin-key', undefined, 'short']);

  it('removes known secrets by value, bearer tokens, key shapes and secret query parameters', () => {
    const key = `cf_${'a'.repeat(43)}`;
    const line = JSON.stringify({
      msg: `GET /batches/x/download.zip?key=${key}&n=1 with Bearer super-secret-admin-key`,
      url: '/trpc/batch.onProgress?input=%7B%7D&connectionParams=%7B%22apiKey%22%3A%22cf_x%22%7D',
      signed: 'https://cdn.example/v.mp4?X-Amz-Signature=abcdef&X-Amz-Expires=60',
      headers: { authorization: 'Bearer sim_0123456789abcdef0123' },
    });
    const out = scrub(line);
    expect(out).not.toContain(key);
    expect(out).not.toContain('super-secret-admin-key');
    expect(out).not.toContain('abcdef&');
    expect(out).not.toContain('apiKey%22');
    expect(out).not.toContain('sim_0123456789abcdef');
    expect(out).toContain('n=1');
    expect(out).toContain('X-Amz-Expires=60');
    expect(() => JSON.parse(out)).not.toThrow();
  });

  it('leaves ordinary lines alone (short values are not treated as secrets)', () => {
    const line = '{"msg":"task succeeded","taskId":"b1-00003","short":"a short note"}';
    expect(scrub(line)).toBe(line);
    expect(scrubUrl('/health?verbose=1')).toBe('/health?verbose=1');
  });
});
