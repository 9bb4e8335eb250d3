/**
 * Weighted-capacity admission. A running task of class c uses 1/actual(c) of its user's capacity,
 * and the sum over the user's running tasks never exceeds 1. Mixed classes share one pool:
 * on pro, a 1080p task (1/2) and a 720p task (1/3) leave 1/6 free.
 */

/** Tolerance for float sums such as 1/3 + 1/3 + 1/3. */
const EPSILON = 1e-9;

export function classWeight(actualConcurrency: number): number {
  return 1 / actualConcurrency;
}

export function fitsCapacity(capacityUsed: number, weight: number): boolean {
  return capacityUsed + weight <= 1 + EPSILON;
}

/** Whether the global provider cap leaves room for one more running task. */
export function underProviderCap(running: number, maxRunning: number): boolean {
  return running < maxRunning;
}
