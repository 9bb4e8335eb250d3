import type { Expectation } from './polling.ts';

/**
 * Learns each class's generation time from finished tasks: an exponentially weighted mean and
 * variance, so the estimate follows the provider when it slows down or speeds up. Until a class has
 * `minSamples` samples, the same model at the same resolution (any clip length) answers if it has them,
 * with its spread widened; then the prior (by resolution), with a wide spread. A catalog of many models,
 * resolutions and lengths has many classes with few tasks each: the pool learns long before each class does.
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

  /** `model|resolution` of a class key: the pool its samples also feed. */
  private static poolOf(key: string): string {
    return `pool:${key.slice(0, key.lastIndexOf('|'))}`;
  }

  record(key: string, durationMs: number, resolution = key.split('|')[1] ?? ''): void {
    this.add(key, durationMs);
    this.add(GenerationTimeEstimator.poolOf(key), durationMs);
    this.add(`res:${resolution}`, durationMs);
  }

  private add(key: string, durationMs: number): void {
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
    const pool = this.stats.get(GenerationTimeEstimator.poolOf(key));
    if (pool && pool.n >= this.minSamples) {
      // Other clip lengths of the model: the right scale, a wider window (lengths differ by up to ~3x).
      return { meanMs: pool.mean, sdMs: Math.max(Math.sqrt(pool.variance), 0.25 * pool.mean) };
    }
    const byResolution = this.stats.get(`res:${resolution}`);
    if (byResolution && byResolution.n >= this.minSamples) {
      // Other models at this resolution: a learned scale beats the fixed prior, with a wide window.
      return { meanMs: byResolution.mean, sdMs: Math.max(Math.sqrt(byResolution.variance), 0.35 * byResolution.mean) };
    }
    const prior = this.priorMs[resolution] ?? Math.max(...Object.values(this.priorMs));
    return { meanMs: prior, sdMs: prior / 3 };
  }
}
