import { describe, expect, it } from 'vitest';
import type { EngineEvent } from '@clipfleet/engine';
import { ReplayCache } from './replayCache.ts';

const page = (n: number) => Array.from({ length: n }, (_, i) => ({ seq: i + 1 }) as unknown as EngineEvent);

describe('ReplayCache', () => {
  it('holds pages up to a number of events, dropping the least recently used first, and keeps batches apart', async () => {
    const cache = new ReplayCache(100);
    await cache.load('a', 0, 40, async () => page(40));
    await cache.load('a', 40, 40, async () => page(40));
    expect(cache.get('b', 0)).toBeUndefined();
    cache.get('a', 0);
    await cache.load('a', 80, 40, async () => page(40));
    expect(cache.get('a', 40)).toBeUndefined();
    expect(cache.get('a', 0)).toHaveLength(40);
    expect(cache.get('a', 80)).toHaveLength(40);
  });
});
