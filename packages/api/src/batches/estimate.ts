import { calculateActualConcurrency, getBatchConfig, type FleetConfig } from '@clipfleet/engine';
import type { NormalizedRow } from './normalize.ts';

export interface ClassEstimate {
  model: string;
  resolution: string;
  durationSec: number;
  count: number;
  creditsEach: number;
  /** Tasks of this class the plan runs at once. */
  concurrency: number;
  expectedSecondsEach: number;
}

export interface BatchEstimate {
  plan: string;
  totalCredits: number;
  taskCount: number;
  classes: ClassEstimate[];
  /** Wall time at the plan's concurrency with the engine's prior generation times (weighted capacity model). */
  estimatedSeconds: number;
}

/**
 * The engine's capacity model: a running task of class c uses 1/actual(c) of the plan's capacity, so a batch
 * needs sum over classes of count x expected / actual (the fast queue first, then the slow one, no idle gap).
 */
export function estimateBatch(rows: NormalizedRow[], config: FleetConfig, planId: string): BatchEstimate {
  const plan = getBatchConfig(planId, config);
  const classes = new Map<string, ClassEstimate>();
  for (const row of rows) {
    const key = `${row.model}|${row.resolution}|${row.durationSec}`;
    let c = classes.get(key);
    if (!c) {
      const expectedMs = plan.polling.adaptive.priorExpectedMs[row.resolution] ?? Math.max(...Object.values(plan.polling.adaptive.priorExpectedMs));
      c = {
        model: row.model,
        resolution: row.resolution,
        durationSec: row.durationSec,
        count: 0,
        creditsEach: row.price,
        concurrency: calculateActualConcurrency(plan, row.model, row.resolution, row.durationSec, plan.concurrency, config.catalog),
        expectedSecondsEach: expectedMs / 1000,
      };
      classes.set(key, c);
    }
    c.count += 1;
  }
  const list = [...classes.values()];
  return {
    plan: plan.id,
    totalCredits: rows.reduce((sum, r) => sum + r.price, 0),
    taskCount: rows.length,
    classes: list,
    estimatedSeconds: Math.round(list.reduce((sum, c) => sum + (c.count * c.expectedSecondsEach) / c.concurrency, 0)),
  };
}
