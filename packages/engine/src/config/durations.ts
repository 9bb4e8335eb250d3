import type { ModelConfig } from './schema.ts';

/** Every whole second the model accepts, ascending. */
export function allowedDurations(entry: Pick<ModelConfig, 'durations'>): number[] {
  const d = entry.durations;
  if ('list' in d) return [...d.list].sort((a, b) => a - b);
  return Array.from({ length: d.max - d.min + 1 }, (_, i) => d.min + i);
}

/** Whether the model accepts a clip of `sec` seconds (checked on every create: no array is built). */
export function acceptsDuration(entry: Pick<ModelConfig, 'durations'>, sec: number): boolean {
  const d = entry.durations;
  if (!Number.isInteger(sec)) return false;
  return 'list' in d ? d.list.includes(sec) : sec >= d.min && sec <= d.max;
}
