// Public surface of @clipfleet/sim.
export { DiscreteEventClock, settle, type RunOptions, type RunResult, type RunStop } from './clock.ts';
export {
  SimKie,
  jobClassOf,
  stateAt,
  type AccountStats,
  type CreateHints,
  type FaultOp,
  type InjectedFault,
  type SimClock,
  type SimKieOptions,
  type SimStats,
  type SimTask,
} from './core.ts';
export { SimGateway, toGetTaskResult, toRemoteStatus, type CallbackHandler, type SimGatewayOptions } from './gateway.ts';
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
export { validateCreateBody, type CreateTaskBody } from './validate.ts';
export { KIE_ERROR_MESSAGES, KIE_MODELS, kieError, type KieRecord, type KieResponse, type KieState } from './wire.ts';
export { startKieSimServer, type CallbackDeliveryStats, type KieSimServer, type KieSimServerOptions } from './http/server.ts';
export { signCallback } from './http/signature.ts';
export { placeholderMp4 } from './http/placeholder.ts';
