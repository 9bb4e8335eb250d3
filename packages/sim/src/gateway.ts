import {
  DEFAULT_CONFIG,
  getVideoModelInfo,
  type Catalog,
  type CreateTaskRequest,
  type CreateTaskResult,
  type GetTaskResult,
  type KieGateway,
  type RemoteStatus,
} from '@clipfleet/engine';
import type { SimKie, SimTask } from './core.ts';
import type { KieRecord, KieResponse } from './wire.ts';

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
  private handler: CallbackHandler | undefined;

  constructor(
    readonly core: SimKie,
    options: SimGatewayOptions = {},
  ) {
    this.apiKey = options.apiKey ?? 'sim-key';
    this.callbacks = options.callbacks ?? false;
    this.catalog = options.catalog ?? DEFAULT_CONFIG.catalog;
    core.onCallback((task, body) => this.forward(task, body));
  }

  /** Where callbacks go, e.g. `(id, status) => supervisor.deliverCallback(id, status)`. */
  onCallback(handler: CallbackHandler): void {
    this.handler = handler;
  }

  createTask(req: CreateTaskRequest): Promise<CreateTaskResult> {
    const spec = req.task;
    let body: unknown;
    try {
      const info = getVideoModelInfo(spec.model, spec.resolution, spec.durationSec, this.catalog);
      body = {
        model: spec.imageUrl ? info.kieModels.imageToVideo : info.kieModels.textToVideo,
        ...(this.callbacks ? { callBackUrl: IN_PROCESS_CALLBACK_URL } : {}),
        input: {
          // Hosts may keep prompts out of memory; the task id stands in for the content then.
          prompt: spec.prompt ?? `prompt of ${spec.taskId}`,
          aspect_ratio: spec.aspectRatio ?? 'landscape',
          n_frames: info.nFrames,
          ...(info.size ? { size: info.size } : {}),
          ...(spec.imageUrl ? { image_urls: [spec.imageUrl] } : {}),
        },
      };
    } catch (error) {
      return Promise.resolve({ ok: false, error: { code: 422, message: (error as Error).message } });
    }
    const answer = this.core.createTask(this.apiKey, body, {
      key: `${spec.taskId}#${req.attempt}`,
      contentKey: spec.prompt ?? spec.taskId,
    });
    if (answer.code === 200 && answer.data) return Promise.resolve({ ok: true, remoteTaskId: answer.data.taskId });
    return Promise.resolve({ ok: false, error: { code: answer.code, message: answer.msg } });
  }

  getTask(remoteTaskId: string): Promise<GetTaskResult> {
    return Promise.resolve(toGetTaskResult(this.core.recordInfo(this.apiKey, remoteTaskId)));
  }

  private forward(task: SimTask, body: KieResponse<KieRecord>): void {
    if (task.account !== this.apiKey || !this.handler || !body.data) return;
    this.handler(task.taskId, toRemoteStatus(body.data));
  }
}

/** KIE answer -> engine result; `data: null` with code 200 is "not there yet" like the 422 quirk. */
export function toGetTaskResult(answer: KieResponse<KieRecord>): GetTaskResult {
  if (answer.code === 200 && answer.data) return { ok: true, status: toRemoteStatus(answer.data) };
  if (answer.code === 200) return { ok: false, error: { code: 422, message: 'recordInfo is null' } };
  return { ok: false, error: { code: answer.code, message: answer.msg } };
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
