import { ConfigError } from '../errors.ts';
import type { Catalog } from './schema.ts';
import { DEFAULT_CONFIG } from './validate.ts';

export interface VideoModelInfo {
  model: string;
  label: string;
  resolution: string;
  durationSec: number;
  credits: number;
  kieModels: { textToVideo: string; imageToVideo: string };
  /** KIE `input.size` (Pro); undefined for models without a size choice. */
  size: string | undefined;
  /** KIE `input.n_frames`: a string of the clip length in seconds. */
  nFrames: string;
}

/** Everything needed to price and submit one video, or a clear error for an unsupported combination. */
export function getVideoModelInfo(
  model: string,
  resolution: string,
  durationSec: number,
  catalog: Catalog = DEFAULT_CONFIG.catalog,
): VideoModelInfo {
  const entry = catalog.models.find((m) => m.id === model);
  if (!entry) {
    const known = catalog.models.map((m) => m.id).join(', ');
    throw new ConfigError(`unknown model "${model}" (known: ${known})`, 'model');
  }
  const variant = entry.variants.find((v) => v.resolution === resolution);
  if (!variant) {
    const known = entry.variants.map((v) => v.resolution).join(', ');
    throw new ConfigError(`${model} does not support resolution "${resolution}" (supported: ${known})`, 'resolution');
  }
  const price = variant.prices.find((p) => p.durationSec === durationSec);
  if (!price) {
    const known = variant.prices.map((p) => `${p.durationSec}`).join(', ');
    throw new ConfigError(`${model} ${resolution} does not support duration ${durationSec} s (supported: ${known})`, 'duration');
  }
  return {
    model,
    label: entry.label,
    resolution,
    durationSec,
    credits: price.credits,
    kieModels: entry.kieModels,
    size: variant.size,
    nFrames: String(durationSec),
  };
}

/** Every supported (model, resolution, duration) combination with its price: the public price list. */
export function listVideoModels(catalog: Catalog = DEFAULT_CONFIG.catalog): VideoModelInfo[] {
  return catalog.models.flatMap((m) =>
    m.variants.flatMap((v) => v.prices.map((p) => getVideoModelInfo(m.id, v.resolution, p.durationSec, catalog))),
  );
}
