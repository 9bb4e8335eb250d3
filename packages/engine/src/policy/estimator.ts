import type { Expectation } from './polling.ts';

/**
 * Learns each class's generation time from finished tasks: an exponentially weighted mean and
 * variance, so the estimate follows the provider when it slows down or speeds up. Until a class has
 * `minSamples` samples, the prior (by resolution) answers, with a wide spread.
 */
export class GenerationTimeEstimator {
  private readonly stats = new Map<string, { n: number; mean: number; variance: number }>();

  constructor(
    private priorMs: Record<string, number>,
    private minSamples: number,
    private readonly alpha = 0.2,
  ) {}

  reconfigure(priorMs: Record<string, number>, minSamples: number): void {
    this.priorMs = priorMs;
    this.minSamples = minSamples;
  }

  static classKey(model: string, resolution: string, durationSec: number): string {
    return `${model}|${resolution}|${durationSec}`;
  }

  record(key: string, durationMs: number): void {
    const s = this.stats.get(key);
    if (!s) {
      this.stats.set(key, { n: 1, mean: durationMs, variance: 0 });
      return;
    }
    // Plain running mean while few samples exist, EWMA afterwards (West's incremental form).
    const weight = Math.max(this.alpha, 1 / (s.n + 1));
    const delta = durationMs - s.mean;
    s.mean += weight * delta;
    s.variance = (1 - weight) * (s.variance + weight * delta * delta);
    s.n++;
  }

  expected(key: string, resolution: string): Expectation {
    const s = this.stats.get(key);
    if (s && s.n >= this.minSamples) {
      // A floor on the spread: a handful of near-identical samples must not make the window razor thin.
      return { meanMs: s.mean, sdMs: Math.max(Math.sqrt(s.variance), 0.05 * s.mean) };
    }
    const prior = this.priorMs[resolution] ?? Math.max(...Object.values(this.priorMs));
    return { meanMs: prior, sdMs: prior / 3 };
  }
}
