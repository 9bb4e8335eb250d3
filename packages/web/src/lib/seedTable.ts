import type { RouterInputs } from '../utils/trpc.ts';

/**
 * The seed system's published performance table (100 Sora 2 Pro videos of 15 s; seed-facts §3): the reference the
 * simulator's measured makespans are shown beside. Values in minutes.
 */
export const SEED_TABLE = [
  { plan: 'pro', all720: 42, all1080: 252, mix: 150, fastPart: 22 },
  { plan: 'pro_plus', all720: 25, all1080: 168, mix: 102, fastPart: 12 },
] as const;

/** The mixes of `sim.run`'s table scenario (the server's input type). */
export type SeedMix = NonNullable<Extract<RouterInputs['sim']['run'], { scenario: 'table' }>['mix']>;

const COLUMN = { '720p': 'all720', '1080p': 'all1080', '50:50': 'mix' } as const;

/** The seed's makespan for a table scenario, in ms (null for a plan the seed did not publish). */
export function seedMakespanMs(plan: string, mix: SeedMix): number | null {
  const row = SEED_TABLE.find((r) => r.plan === plan);
  return row ? row[COLUMN[mix]] * 60_000 : null;
}

/** The seed's "720p half done" time for the 50:50 mix, in ms. */
export function seedFastPartMs(plan: string, mix: SeedMix): number | null {
  const row = SEED_TABLE.find((r) => r.plan === plan);
  return row && mix === '50:50' ? row.fastPart * 60_000 : null;
}

/** Measured against the seed: "+3%" / "-12%". */
export function relativeTo(measuredMs: number | null, referenceMs: number | null): string {
  if (measuredMs === null || referenceMs === null || referenceMs === 0) return '—';
  const pct = Math.round((measuredMs / referenceMs - 1) * 100);
  return `${pct > 0 ? '+' : ''}${pct}%`;
}
