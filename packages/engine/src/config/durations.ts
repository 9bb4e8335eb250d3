import type { ModelConfig } from './schema.ts';

/** Every whole second the model accepts, ascending. */
export function allowedDurations(entry: Pick<ModelConfig, 'durations'>): number[] {
  const d = entry.durations;
  if ('list' in d) return [...d.list].sort((a, b) => a - b);
  return Array.from({ length: d.max - d.min + 1 }, (_, i) => d.min + i);
}
