import { describe, expect, it } from 'vitest';
import { href, parseRoute, type Route } from './router.ts';

describe('hash routes', () => {
  it('parses every page', () => {
    expect(parseRoute('')).toEqual({ name: 'batches' });
    expect(parseRoute('#/batches')).toEqual({ name: 'batches' });
    expect(parseRoute('#/new')).toEqual({ name: 'new' });
    expect(parseRoute('#/batches/abc')).toEqual({ name: 'batch', batchId: 'abc' });
    expect(parseRoute('#/inspector')).toEqual({ name: 'inspector', batchId: null, taskId: null });
    expect(parseRoute('#/inspector/b1?task=t9')).toEqual({ name: 'inspector', batchId: 'b1', taskId: 't9' });
    expect(parseRoute('#/simulator')).toEqual({ name: 'simulator' });
    expect(parseRoute('#/monitor')).toEqual({ name: 'monitor' });
    expect(parseRoute('#/nope/x')).toEqual({ name: 'notFound', path: '/nope/x' });
  });

  it('round-trips href and parseRoute, escaping ids', () => {
    const routes: Route[] = [
      { name: 'batches' },
      { name: 'new' },
      { name: 'batch', batchId: 'a/b c' },
      { name: 'inspector', batchId: 'b 1', taskId: 't&2' },
      { name: 'inspector', batchId: null, taskId: null },
      { name: 'simulator' },
      { name: 'monitor' },
    ];
    for (const r of routes) expect(parseRoute(href(r))).toEqual(r);
  });
});
