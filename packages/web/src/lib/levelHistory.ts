/** One observed change of the account's concurrency level. */
export interface LevelChange {
  at: number;
  from: number;
  to: number;
}

/** Appends a change when the observed level differs from the last one seen; keeps the latest `max`. */
export function recordLevel(history: LevelChange[], last: number | null, level: number, at: number, max = 6): LevelChange[] {
  if (last === null || last === level) return history;
  return [...history, { at, from: last, to: level }].slice(-max);
}
