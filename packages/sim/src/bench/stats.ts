/** Small numeric helpers for metrics (no dependencies, deterministic). */
export function mean(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

/** Nearest-rank percentile (p in 0..100) of unsorted values. */
export function percentile(xs: readonly number[], p: number): number | null {
  if (xs.length === 0) return null;
  const sorted = [...xs].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}

/** Rounds for stable JSON (results must be byte-identical across runs with the same seed). */
export function round(x: number | null, digits = 3): number | null {
  if (x === null || !Number.isFinite(x)) return x === null ? null : x;
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
