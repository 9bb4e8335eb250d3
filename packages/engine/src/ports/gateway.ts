import type { TaskSpec } from '../task/types.ts';

/** KIE's task states as reported by recordInfo / callbacks. */
export type RemoteState = 'waiting' | 'queuing' | 'generating' | 'success' | 'fail';

/**
 * A provider error, normalised. `code` is KIE's body code (the truth, even inside HTTP 200);
 * transport failures (DNS, reset, timeout) use code 0.
 */
export interface ProviderError {
  code: number;
  message: string;
  /** From a Retry-After header or an explicit hint, when the provider gave one. */
  retryAfterMs?: number;
}

export type CreateTaskResult =
  | { ok: true; remoteTaskId: string }
  | { ok: false; error: ProviderError };

export interface RemoteStatus {
  state: RemoteState;
  /** 0-100 where the provider reports it. */
  progress?: number;
  resultUrls?: string[];
  /** KIE's failCode/failMsg for state `fail`. */
  failCode?: string | number;
  failMsg?: string;
  /** Provider timestamps (Unix ms, provider's clock): durations come from their difference. */
  createTime?: number;
  completeTime?: number;
}

export type GetTaskResult = { ok: true; status: RemoteStatus } | { ok: false; error: ProviderError };

export interface CreateTaskRequest {
  task: TaskSpec;
  /** 1-based attempt number; the gateway may use (taskId, attempt) as an idempotency key. */
  attempt: number;
  /** The KIE account (configured id) to create the job on: the engine holds its permit. */
  accountId: string;
}

/** The engine's only way to talk to KIE. Implementations must not throw: failures are results. */
export interface KieGateway {
  createTask(req: CreateTaskRequest): Promise<CreateTaskResult>;
  /**
   * `task` tells a multi-family gateway which endpoint knows the remote id (Veo's differ from Market's);
   * `accountId`, which KIE account created the job (only that account can see it).
   */
  getTask(remoteTaskId: string, task?: TaskSpec, accountId?: string): Promise<GetTaskResult>;
}
