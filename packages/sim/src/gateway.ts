import {
  buildKieRequest,
  DEFAULT_CONFIG,
  kieCreateBody,
  type Catalog,
  type CreateTaskRequest,
  type CreateTaskResult,
  type GetTaskResult,
  type KieGateway,
  type ProviderFamily,
  type RemoteStatus,
  type TaskSpec,
} from '@clipfleet/engine';
import type { SimKie, SimTask } from './core.ts';
import type { KieRecord, KieResponse, VeoRecord } from './wire.ts';

export interface SimGatewayOptions {
  /** The account key the gateway uses (must be one of the core's apiKeys). */
  apiKey?: string;
  /** Ask KIE for callbacks (delivered to the handler registered with `onCallback`). */
  callbacks?: boolean;
  catalog?: Catalog;
}

export type CallbackHandler = (remoteTaskId: string, status: RemoteStatus) => void;

/** Where the in-process gateway says callbacks go: never fetched, the core hands them to the handler. */
const IN_PROCESS_CALLBACK_URL = 'http://in-process.sim/callback';

/**
 * The in-process face: the engine's `KieGateway` over the simulator core, on the same (virtual) clock.
 * Answers are promises resolved at once: the discrete-event clock lets them settle before moving time.
 */
export class SimGateway implements KieGateway {
  private readonly apiKey: string;
  private readonly callbacks: boolean;
  private readonly catalog: Catalog;
  /** Each catalog model's family: which endpoint answers for its jobs. */
  private readonly families: Map<string, ProviderFamily>;
  private handler: CallbackHandler | undefined;

  constructor(
    readonly core: SimKie,
    options: SimGatewayOptions = {},
  ) {
    this.apiKey = options.apiKey ?? 'sim-key';
    this.callbacks = options.callbacks ?? false;
    this.catalog = options.catalog ?? DEFAULT_CONFIG.catalog;
    this.families = new Map(this.catalog.models.map((m) => [m.id, m.family]));
    core.onCallback((task, body) => this.forward(task, body));
  }

  /** Where callbacks go, e.g. `(id, status) => supervisor.deliverCallback(id, status)`. */
  onCallback(handler: CallbackHandler): void {
    this.handler = handler;
  }

  createTask(req: CreateTaskRequest): Promise<CreateTaskResult> {
    const spec = req.task;
    let built;
    try {
      // The same catalog mapping the real client sends through; hosts may keep prompts out of memory,
      // and the task id stands in for the content then.
      const withPrompt = spec.prompt !== undefined ? (spec as TaskSpec & { prompt: string }) : { ...spec, prompt: `prompt of ${spec.taskId}` };
      built = buildKieRequest(withPrompt, this.catalog);
    } catch (error) {
      return Promise.resolve({ ok: false, error: { code: 422, message: (error as Error).message } });
    }
    const body = kieCreateBody(built, this.callbacks ? { callBackUrl: IN_PROCESS_CALLBACK_URL } : {});
    const answer = this.core.createTask(
      this.apiKey,
      body,
      // One flat string: the job keeps its key for life, and a template literal's tree of parts is larger.
      { key: [spec.taskId, '#', req.attempt].join(''), contentKey: spec.prompt ?? spec.taskId },
      built.family,
    );
    if (answer.code === 200 && answer.data) return Promise.resolve({ ok: true, remoteTaskId: answer.data.taskId });
    return Promise.resolve({ ok: false, error: { code: answer.code, message: answer.msg } });
  }

  getTask(remoteTaskId: string, task?: TaskSpec): Promise<GetTaskResult> {
    const family = task ? this.families.get(task.model) : undefined;
    if (family === 'veo') return Promise.resolve(veoToGetTaskResult(this.core.veoRecordInfo(this.apiKey, remoteTaskId)));
    return Promise.resolve(toGetTaskResult(this.core.recordInfo(this.apiKey, remoteTaskId)));
  }

  private forward(task: SimTask, body: KieResponse<unknown>): void {
    if (task.account !== this.apiKey || !this.handler) return;
    // The core knows the task: its record is the callback's content, whichever family's shape carried it.
    const status = task.family === 'veo' ? veoToRemoteStatus(this.core.veoRecordOf(task, task.completeAt)) : body.data ? toRemoteStatus(body.data as KieRecord) : undefined;
    if (status) this.handler(task.taskId, status);
  }
}

/** KIE answer -> engine result; `data: null` with code 200 is "not there yet" like the 422 quirk. */
export function toGetTaskResult(answer: KieResponse<KieRecord>): GetTaskResult {
  if (answer.code === 200 && answer.data) return { ok: true, status: toRemoteStatus(answer.data) };
  if (answer.code === 200) return { ok: false, error: { code: 422, message: 'recordInfo is null' } };
  return { ok: false, error: { code: answer.code, message: answer.msg } };
}

/** Veo's answer -> engine result (`successFlag` instead of `state`). */
export function veoToGetTaskResult(answer: KieResponse<VeoRecord>): GetTaskResult {
  if (answer.code === 200 && answer.data) return { ok: true, status: veoToRemoteStatus(answer.data) };
  if (answer.code === 200) return { ok: false, error: { code: 422, message: 'record is null' } };
  return { ok: false, error: { code: answer.code, message: answer.msg } };
}

export function veoToRemoteStatus(record: VeoRecord): RemoteStatus {
  const status: RemoteStatus = { state: record.successFlag === 1 ? 'success' : record.successFlag === 0 ? 'generating' : 'fail', createTime: record.createTime };
  if (record.completeTime !== null) status.completeTime = record.completeTime;
  if (record.response) status.resultUrls = record.response.resultUrls;
  if (status.state === 'fail') {
    status.failCode = record.errorCode ?? 501;
    if (record.errorMessage) status.failMsg = record.errorMessage;
  }
  return status;
}

export function toRemoteStatus(record: KieRecord): RemoteStatus {
  const status: RemoteStatus = { state: record.state, progress: record.progress, createTime: record.createTime };
  if (record.completeTime !== null) status.completeTime = record.completeTime;
  if (record.state === 'success' && record.resultJson) {
    const parsed = JSON.parse(record.resultJson) as { resultUrls?: string[] };
    status.resultUrls = parsed.resultUrls ?? [];
  }
  if (record.state === 'fail') {
    if (record.failCode !== null) status.failCode = record.failCode;
    if (record.failMsg !== null) status.failMsg = record.failMsg;
  }
  return status;
}
