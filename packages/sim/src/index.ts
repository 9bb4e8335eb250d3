// Public surface of @clipfleet/sim.
export { DiscreteEventClock, settle, type RunOptions, type RunResult, type RunStop, type TimerHandle } from './clock.ts';
export { SimKie, jobClassOf, type AccountStats, type CreateHints, type SimClock, type SimKieOptions, type SimStats, type SimTotals, type SimTask } from './core.ts';
export { stateAt } from './timeline.ts';
export type { FaultOp, InjectedFault } from './callFaults.ts';
export { SimGateway, toGetTaskResult, toRemoteStatus, veoToGetTaskResult, veoToRemoteStatus, type CallbackHandler, type SimGatewayOptions } from './gateway.ts';
export {
  FAULT_NAMES,
  NO_FAULTS,
  POLICY_FAIL_MSG,
  combineFaults,
  parseFaults,
  type FaultName,
  type FaultProfile,
  type FaultSpec,
} from './profiles/faults.ts';
export {
  LATENCY_PROFILES,
  fieldLatency,
  resolveLatency,
  sampleLatencyMs,
  seedLatency,
  type JobClass,
  type LatencyProfile,
  type LatencyProfileName,
} from './profiles/latency.ts';
export { Rng, deriveSeed, randomSource, streamFor } from './rng.ts';
export { UNKNOWN_MODEL_MSG, validateCreateBody, type CreateTaskBody } from './validate.ts';
export { assumedMedianMs, MODEL_TIMES, type ModelTime } from './profiles/modelTimes.ts';
export { KIE_ERROR_MESSAGES, kieError, type KieRecord, type KieResponse, type KieState, type VeoRecord } from './wire.ts';
export { startKieSimServer, type CallbackDeliveryStats, type KieSimServer, type KieSimServerOptions } from './http/server.ts';
export { signCallback } from './http/signature.ts';
export { placeholderMp4 } from './http/placeholder.ts';
// The benchmark, for hosts that run simulations on demand (e.g. the API's simulator page).
export {
  runSimulation,
  capacityLowerBound,
  type SimulationInput,
  type SimulationMetrics,
  type SimulationPerf,
  type SimulationResult,
} from './bench/harness.ts';
export { multiUser, mixedShapes, scenarios, seedTableScenario, SHAPES, type Mix, type Scenario } from './bench/scenarios.ts';
export {
  clipfleetCallbacksConfig,
  clipfleetConfig,
  fixedFirstStageConfig,
  naiveConfig,
  seedConfig,
  strategies,
  type Strategy,
} from './bench/strategies.ts';
export { SEED_TABLE, seedClaims, seedTable, targets, type Check, type SeedCell } from './bench/claims.ts';
export { runBench, type BenchOptions, type BenchOutput, type BenchResults } from './bench/run.ts';
export type { RunRecord, StrategyId } from './bench/matrix.ts';
export { startNodeOptions } from './bench/nodeOptions.ts';
