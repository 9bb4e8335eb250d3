import { describe, expect, it } from 'vitest';
import { recordLevel } from './levelHistory.ts';

describe('recordLevel', () => {
  it('records changes only, newest last, bounded', () => {
    let h = recordLevel([], null, 3, 0);
    expect(h).toEqual([]);
    h = recordLevel(h, 3, 3, 1);
    expect(h).toEqual([]);
    h = recordLevel(h, 3, 1, 2);
    h = recordLevel(h, 1, 2, 3);
    expect(h).toEqual([
      { at: 2, from: 3, to: 1 },
      { at: 3, from: 1, to: 2 },
    ]);
    for (let i = 0; i < 10; i++) h = recordLevel(h, i, i + 1, 10 + i, 4);
    expect(h).toHaveLength(4);
    expect(h.at(-1)).toEqual({ at: 19, from: 9, to: 10 });
  });
});
