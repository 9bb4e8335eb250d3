export type { EngineClock } from './clock.ts';
export type {
  CreateTaskRequest,
  CreateTaskResult,
  GetTaskResult,
  KieGateway,
  ProviderError,
  RemoteState,
  RemoteStatus,
} from './gateway.ts';
export type { AccountRoom, AccountSignal, CreateOutcome, PermitAnswer, PermitDenial, PermitRequest, ProviderLimits } from './limits.ts';
