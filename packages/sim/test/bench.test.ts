import { describe, expect, it } from 'vitest';
import { seedClaims, targets } from '../src/bench/claims.ts';
import { runBench } from '../src/bench/run.ts';

describe('benchmark runner', { timeout: 120_000 }, () => {
  it('same seed -> byte-identical results JSON; another seed -> different', async () => {
    const options = { quick: true, inProcess: true, only: ['auth'] };
    const a = await runBench({ seed: 7, ...options });
    const b = await runBench({ seed: 7, ...options });
    const c = await runBench({ seed: 8, ...options });
    expect(JSON.stringify(a.results)).toBe(JSON.stringify(b.results));
    expect(JSON.stringify(a.results)).not.toBe(JSON.stringify(c.results));
    expect(a.results.runs.map((r) => r.strategy)).toEqual(['naive', 'seed', 'clipfleet', 'clipfleet+callbacks']);
    // Checks are computed only from what ran (and `auth` needs an operator by design: no target applies).
    expect(seedClaims(a.runs)).toEqual([]);
    expect(targets(a.runs)).toEqual([]);
    expect(a.runs.every((r) => r.metrics.unfinished > 0)).toBe(true);
  });
});

describe('live-mix scenario', { timeout: 120_000 }, () => {
  it("runs KIE's live models (market and veo) under every strategy to success", async () => {
    const { runs } = await runBench({ seed: 1, quick: true, inProcess: true, only: ['live-mix'] });
    expect(runs.map((r) => r.strategy)).toEqual(['naive', 'seed', 'clipfleet', 'clipfleet+callbacks']);
    for (const r of runs) {
      expect(r.metrics.successRate).toBe(1);
      expect(r.metrics.unfinished).toBe(0);
      expect(r.metrics.detectionDelayMeanS).not.toBeNull();
    }
    const by = (id: string) => runs.find((r) => r.strategy === id)!.metrics;
    // Adaptive polling spends fewer status calls than the fixed 3 s naive schedule on the same work.
    expect(by('clipfleet').statusCallsPerTask).toBeLessThan(by('naive').statusCallsPerTask);
    console.log(runs.map((r) => `${r.strategy}: makespan ${r.metrics.makespanS} s, ${r.metrics.statusCallsPerTask} status calls/task, detect ${r.metrics.detectionDelayMeanS} s`).join('\n'));
  });
});
