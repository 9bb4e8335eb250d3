// Public surface of @clipfleet/engine (hand-written: what is not listed here is internal).
export {
  allowedDurations,
  checkVideoRequest,
  clipCredits,
  defaultModelOf,
  findModel,
  getVideoModelInfo,
  isLive,
  listVideoModels,
  liveModels,
  modeFor,
  modeLabel,
  retiredMessage,
  rowFieldOf,
  rowImages,
  type CheckedRequest,
  type VideoModelInfo,
  type VideoRequest,
} from './config/catalog.ts';
export { buildKieRequest, kieCreateBody, type KieCallbackUrls, type KieRequest } from './config/request.ts';
export { durationWeightOf, powerLawWeight, resolutionWeightOf } from './config/weights.ts';
export { defaultFleetConfig } from './config/defaults.ts';
export { baseConcurrency, calculateActualConcurrency, getBatchConfig } from './config/plans.ts';
export type {
  Catalog,
  DegradationConfig,
  FleetConfig,
  FleetConfigInput,
  InputMapping,
  Mode,
  ModeConfig,
  ModelConfig,
  ProviderFamily,
  PlanConfig,
  PollingConfig,
  ProviderAccountConfig,
  ProviderConfig,
  RetryConfig,
} from './config/schema.ts';
export { CatalogSchema, FleetConfigSchema, MODES, PlanSchema, PROVIDER_FAMILIES, ProviderAccountSchema } from './config/schema.ts';
export { DEFAULT_CONFIG, parseFleetConfig } from './config/validate.ts';
export { ConfigError, formatZodIssues } from './errors.ts';
export type { EngineEvent, EngineEventBody, EngineEventType } from './events.ts';
export type * from './ports/index.ts';
export type {
  AccountLoad,
  BatchInput,
  BatchProgress,
  HydrateBatch,
  Supervisor,
  SupervisorOptions,
  SupervisorStatus,
  TaskView,
  UserLoad,
} from './batch/types.ts';
export { isTerminal, TASK_STATES, TERMINAL_STATES, type TaskFacts, type TaskFailure, type TaskSpec, type TaskState, type TerminalState } from './task/types.ts';
export { createSupervisor, ENGINE_CODES, hydrateSupervisor } from './batch/supervisor.ts';
export { supervisorMachine, type ProviderGate } from './batch/supervisorMachine.ts';
export { taskMachine, type TaskEmitted, type TaskMachineInput, type TaskRuntime } from './task/taskMachine.ts';
export { classWeight, fitsCapacity } from './policy/admission.ts';
export { failureRate, initialDegradation, recordOutcome, type DegradationState, type LevelChange } from './policy/degradation.ts';
export { GenerationTimeEstimator } from './policy/estimator.ts';
export { compareForAdmission, isSlowClass, RoundRobin, type SlowClass } from './policy/ordering.ts';
export { adaptiveDelayMs, nextPollDelayMs, stagedIntervalMs, type Expectation, type PollInput } from './policy/polling.ts';
export { CreateWindow } from './policy/createWindow.ts';
export { accountLimits, type AccountLimits } from './config/accounts.ts';
export { LocalLimits } from './batch/localLimits.ts';
export { classifyError, isContentPolicyRefusal, mayRetry, retryDelayMs, throttleDelayMs, type ErrorDecision } from './policy/retry.ts';
export { applyTaskEvent, initialFacts, resumableFacts, type FactEvent } from './task/facts.ts';
export { machineDefinition, type StateDefinition, type TransitionDefinition } from './inspect/definition.ts';
