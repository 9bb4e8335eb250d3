/**
 * The seed system's published performance table (100 videos of 15 s; see docs seed-facts §3): the reference the
 * simulator's measured makespans are shown beside. Values in minutes.
 */
export const SEED_TABLE = [
  { plan: 'pro', all720: 42, all1080: 252, mix: 150, fastPart: 22 },
  { plan: 'pro_plus', all720: 25, all1080: 168, mix: 102, fastPart: 12 },
] as const;

export type SeedMix = 'all720' | 'all1080' | 'mix';

/** Which seed column a scenario corresponds to: 100 videos of 15 s at a 0, 100 or 50 % share of 1080p. */
export function seedColumn(count: number, durationSec: number, share1080: number): SeedMix | null {
  if (count !== 100 || durationSec !== 15) return null;
  if (share1080 === 0) return 'all720';
  if (share1080 === 1) return 'all1080';
  if (share1080 === 0.5) return 'mix';
  return null;
}

export function seedMinutes(plan: string, column: SeedMix | null): number | null {
  if (!column) return null;
  const row = SEED_TABLE.find((r) => r.plan === plan);
  return row ? row[column] : null;
}
