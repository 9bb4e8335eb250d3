// Public surface of @clipfleet/engine (hand-written: what is not listed here is internal).
export { getVideoModelInfo, listVideoModels, type VideoModelInfo } from './config/catalog.ts';
export { defaultFleetConfig } from './config/defaults.ts';
export { baseConcurrency, calculateActualConcurrency, getBatchConfig, getPollingConfig } from './config/plans.ts';
export type {
  Catalog,
  DegradationConfig,
  FleetConfig,
  FleetConfigInput,
  ModelConfig,
  PlanConfig,
  PollingConfig,
  ProviderConfig,
  RetryConfig,
} from './config/schema.ts';
export { FleetConfigSchema, PlanSchema } from './config/schema.ts';
export { DEFAULT_CONFIG, parseFleetConfig } from './config/validate.ts';
export { ConfigError, formatZodIssues } from './errors.ts';
export { isTaskEnd, type EngineEvent, type EngineEventBody, type EngineEventType, type TaskEndEvent } from './events.ts';
export type * from './ports/index.ts';
export type {
  BatchInput,
  BatchProgress,
  HydrateBatch,
  Supervisor,
  SupervisorOptions,
  SupervisorStatus,
  TaskView,
  UserLoad,
} from './batch/types.ts';
export { isTerminal, TASK_STATES, TERMINAL_STATES, type TaskFacts, type TaskSpec, type TaskState, type TerminalState } from './task/types.ts';
