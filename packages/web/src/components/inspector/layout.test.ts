import { machineDefinition, supervisorMachine, taskMachine } from '@clipfleet/engine';
import { describe, expect, it } from 'vitest';
import { definitionToGraph } from '../../lib/statechart.ts';
import { layoutChart, type ChartLayout, type Point } from './layout.ts';

/** Pairs of edge segments that cross (shared end points and touching do not count). */
function crossings(layout: ChartLayout): number {
  const side = (p: Point, q: Point, r: Point) => Math.sign((q.x - p.x) * (r.y - p.y) - (q.y - p.y) * (r.x - p.x));
  const segments = layout.edges.map((e) => e.points.slice(1).map((p, i) => [e.points[i]!, p] as const));
  let n = 0;
  for (let i = 0; i < segments.length; i++)
    for (let j = i + 1; j < segments.length; j++)
      for (const [a, b] of segments[i]!)
        for (const [c, d] of segments[j]!) if (side(c, d, a) * side(c, d, b) < 0 && side(a, b, c) * side(a, b, d) < 0) n++;
  return n;
}

describe('statechart layout', () => {
  it('lays the task machine out with few crossing edges, every edge routed, nodes apart', async () => {
    const layout = await layoutChart(definitionToGraph(machineDefinition(taskMachine)));
    expect(layout.edges.every((e) => e.points.length >= 2)).toBe(true);
    // The layout this replaced (every child state drawing its own edges out of polling) had 12.
    expect(crossings(layout)).toBeLessThanOrEqual(6);
    const atoms = layout.nodes.filter((n) => n.kind !== 'compound');
    for (const a of atoms)
      for (const b of atoms)
        if (a !== b) expect(a.x + a.width <= b.x || b.x + b.width <= a.x || a.y + a.height <= b.y || b.y + b.height <= a.y, `${a.id} / ${b.id}`).toBe(true);
  });

  it('lays the supervisor machine out without crossings', async () => {
    expect(crossings(await layoutChart(definitionToGraph(machineDefinition(supervisorMachine))))).toBe(0);
  });
});
