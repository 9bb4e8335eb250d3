import { ConfigError } from '../errors.ts';
import type { Catalog } from './schema.ts';

/**
 * Concurrency weights for every resolution and duration from a plan's few points (the seed's: 720p 1.0,
 * 1080p 0.65; 10 s 1.3, 15 s 1.0). Between and beyond the points the weight follows a power law of the
 * class's size (pixels per frame, seconds per clip): linear in log-log space through neighbouring points,
 * the end segments extended. A listed point is returned exactly, so every seed value is unchanged; with
 * non-increasing points the curve is non-increasing, so a longer or larger clip never gets more concurrency.
 */
export function powerLawWeight(points: ReadonlyArray<readonly [size: number, weight: number]>, size: number): number {
  const sorted = [...points].sort((a, b) => a[0] - b[0]);
  const exact = sorted.find(([x]) => x === size);
  if (exact) return exact[1];
  if (sorted.length === 1) return sorted[0]![1];
  let i = sorted.findIndex(([x]) => x > size);
  if (i <= 0) i = i === 0 ? 1 : sorted.length - 1;
  const [x0, w0] = sorted[i - 1]!;
  const [x1, w1] = sorted[i]!;
  const slope = Math.log(w1 / w0) / Math.log(x1 / x0);
  return w0 * Math.exp(slope * Math.log(size / x0));
}

export function pixelsOf(resolution: string, catalog: Pick<Catalog, 'resolutions'>): number {
  const r = catalog.resolutions[resolution];
  if (!r) throw new ConfigError(`unknown resolution "${resolution}" (known: ${Object.keys(catalog.resolutions).join(', ')})`, 'resolution');
  return r.width * r.height;
}

/** The plan's weight for a resolution: its own point, or the power law through its points by pixel count. */
export function resolutionWeightOf(weights: Record<string, number>, resolution: string, catalog: Pick<Catalog, 'resolutions'>): number {
  const own = weights[resolution];
  if (own !== undefined) return own;
  const points = Object.entries(weights).map(([r, w]) => [pixelsOf(r, catalog), w] as const);
  if (points.length === 0) throw new ConfigError(`no resolution weights to derive "${resolution}" from`, 'resolution');
  return powerLawWeight(points, pixelsOf(resolution, catalog));
}

/** The plan's weight for a clip length: its own point, or the power law through its points. */
export function durationWeightOf(weights: Record<string, number>, durationSec: number): number {
  const own = weights[String(durationSec)];
  if (own !== undefined) return own;
  const points = Object.entries(weights).map(([d, w]) => [Number(d), w] as const);
  if (points.length === 0 || !(durationSec > 0)) throw new ConfigError(`no duration weight for ${durationSec} s`, 'duration');
  return powerLawWeight(points, durationSec);
}

/** Points whose weight rises with size would give a bigger clip more concurrency: the name of the first offender. */
export function firstRisingPoint(points: Array<[name: string, size: number, weight: number]>): string | undefined {
  const sorted = [...points].sort((a, b) => a[1] - b[1]);
  for (let i = 1; i < sorted.length; i++) if (sorted[i]![2] > sorted[i - 1]![2]) return sorted[i]![0];
  return undefined;
}
