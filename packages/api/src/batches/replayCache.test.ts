import { describe, expect, it } from 'vitest';
import type { EngineEvent } from '@clipfleet/engine';
import { ReplayCache } from './replayCache.ts';

const page = (n: number) => Array.from({ length: n }, (_, i) => ({ seq: i + 1 }) as unknown as EngineEvent);

describe('ReplayCache', () => {
  it('holds pages up to a number of events, dropping the least recently used first, and keeps batches apart', () => {
    const cache = new ReplayCache(100);
    cache.set('a', 0, page(40));
    cache.set('a', 40, page(40));
    expect(cache.get('b', 0)).toBeUndefined();
    cache.get('a', 0);
    cache.set('a', 80, page(40));
    expect(cache.get('a', 40)).toBeUndefined();
    expect(cache.get('a', 0)).toHaveLength(40);
    expect(cache.get('a', 80)).toHaveLength(40);
  });
});
