import { describe, expect, it } from 'vitest';
import { CLASSES, harness, makeTasks } from './support/fleet.ts';

describe('supervisor basics', () => {
  it('runs a small mixed batch to success, one create per task', async () => {
    const h = harness({ userPlans: { u1: 'pro' } });
    const tasks = makeTasks('b1', 'u1', [...CLASSES, ...CLASSES]);
    h.supervisor.addBatch({ batchId: 'b1', userId: 'u1', tasks });
    await h.run();
    const progress = h.supervisor.batchProgress('b1')!;
    expect(progress.byState.succeeded).toBe(tasks.length);
    expect(h.gateway.creates).toHaveLength(tasks.length);
    expect(h.events.at(-1)?.type).toBe('batch.finished');
    const seqs = h.events.map((e) => e.seq);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
  });
});
