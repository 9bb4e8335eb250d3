import { parseFleetConfig, type FleetConfig } from '@clipfleet/engine';
import { runSimulation, type SimulationMetrics, type SimulationPerf } from './harness.ts';
import { scenarioEntries, type Scenario } from './scenarios.ts';
import { fixedFirstStageConfig, strategies } from './strategies.ts';

/** A strategy id, plus the baseline used only to check the seed's polling claim. */
export type StrategyId = 'naive' | 'seed' | 'clipfleet' | 'clipfleet+callbacks' | 'fixed-first-stage';

export interface RunRecord {
  scenario: string;
  strategy: StrategyId;
  metrics: SimulationMetrics;
  perf: SimulationPerf & {
    peakRssMB?: number;
    baselineRssMB?: number;
    /** An isolated run's warm-up in the same process before it (see worker.ts). */
    warmUp?: { tasks: number; cpuMs: number; wallMs: number };
    isolated: boolean;
  };
}

export function strategyConfig(id: StrategyId): FleetConfig {
  if (id === 'fixed-first-stage') return fixedFirstStageConfig();
  const found = strategies().find((s) => s.id === id);
  if (!found) throw new Error(`unknown strategy ${id}`);
  return found.config;
}

/**
 * Which strategies run on which scenario. Scale runs go to a child process (their own peak RSS);
 * at 10,000 tasks only ClipFleet runs (the target is about the engine, and the others only poll more).
 */
export function plan(scenario: Scenario): { strategies: StrategyId[]; isolated: boolean } {
  const all: StrategyId[] = ['naive', 'seed', 'clipfleet', 'clipfleet+callbacks'];
  if (scenario.id === 'scale/10k') return { strategies: ['clipfleet', 'clipfleet+callbacks'], isolated: true };
  if (scenario.id.startsWith('scale/1') && scenario.provider) return { strategies: ['clipfleet'], isolated: true };
  if (scenario.id === 'scale/1k') return { strategies: ['seed', 'clipfleet', 'clipfleet+callbacks'], isolated: true };
  if (scenario.seedCell || scenario.id === 'field') return { strategies: [...all, 'fixed-first-stage'], isolated: false };
  return { strategies: all, isolated: false };
}

/** Scenarios whose running-tasks timeline is charted. */
export const TIMELINE_SCENARIOS = new Set(['table/pro/50:50', 'overload']);

/** The strategy's config with the scenario's provider (a bigger cap, several KIE accounts with a window each). */
function configFor(scenario: Scenario, strategy: StrategyId): FleetConfig {
  const config = strategyConfig(strategy);
  if (!scenario.provider) return config;
  const { maxRunning, accounts } = scenario.provider;
  return parseFleetConfig({ ...config, provider: { ...config.provider, maxRunning, accounts: Array.from({ length: accounts }, (_, i) => ({ id: `kie-${i + 1}` })) } });
}

export async function runOne(scenario: Scenario, strategy: StrategyId, seed: number, timeline = false) {
  return runSimulation({
    seed,
    config: configFor(scenario, strategy),
    userPlans: scenario.userPlans,
    batches: scenario.batches,
    latency: scenario.latency,
    ...(scenario.faults !== undefined ? { faults: scenario.faults } : {}),
    ...(scenario.maxSimMs !== undefined ? { maxSimMs: scenario.maxSimMs } : {}),
    timeline,
  });
}

export function findScenario(seed: number, id: string): Scenario {
  const found = scenarioEntries(seed, { quick: false }).find((s) => s.id === id);
  if (!found) throw new Error(`unknown scenario ${id}`);
  return found.build();
}
