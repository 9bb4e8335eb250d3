import type { CreateTaskRequest, CreateTaskResult, EngineClock, GetTaskResult, KieGateway, ProviderError } from '../../src/index.ts';

/** What happens to one attempt of one task, as scripted by a test. */
export type AttemptScript =
  /** createTask answers with this error. */
  | { create: ProviderError }
  /** createTask is accepted; the generation takes `genMs` and ends as given. */
  | { genMs: number; outcome: 'success' | { failCode: number; failMsg: string } };

export interface CreateCall {
  taskId: string;
  attempt: number;
  accountId: string;
  at: number;
  ok: boolean;
  remoteTaskId?: string;
}

interface RemoteJob {
  taskId: string;
  /** Only the account that created a job can see it (as at KIE). */
  accountId: string;
  createdAt: number;
  doneAt: number;
  outcome: 'success' | { failCode: number; failMsg: string };
}

/**
 * A fake KIE for engine tests: each createTask call consumes the next step of the task's script
 * (an exhausted script means success after 60 s). Records every call with its time.
 */
export class ScriptedGateway implements KieGateway {
  readonly creates: CreateCall[] = [];
  readonly gets: { remoteTaskId: string; accountId: string | undefined; at: number }[] = [];
  private readonly jobs = new Map<string, RemoteJob>();
  private readonly cursor = new Map<string, number>();

  constructor(
    private readonly clock: EngineClock,
    private readonly scripts: Record<string, AttemptScript[]> = {},
    /** How long a new record reads as "recordInfo is null" (KIE's quirk). */
    private readonly nullRecordMs = 2_000,
  ) {}

  async createTask(req: CreateTaskRequest): Promise<CreateTaskResult> {
    const { taskId } = req.task;
    const n = this.cursor.get(taskId) ?? 0;
    this.cursor.set(taskId, n + 1);
    const step = this.scripts[taskId]?.[n] ?? { genMs: 60_000, outcome: 'success' as const };
    const at = this.clock.now();
    if ('create' in step) {
      this.creates.push({ taskId, attempt: req.attempt, accountId: req.accountId, at, ok: false });
      return { ok: false, error: step.create };
    }
    const remoteTaskId = `r-${taskId}-${n}`;
    this.jobs.set(remoteTaskId, { taskId, accountId: req.accountId, createdAt: at, doneAt: at + step.genMs, outcome: step.outcome });
    this.creates.push({ taskId, attempt: req.attempt, accountId: req.accountId, at, ok: true, remoteTaskId });
    return { ok: true, remoteTaskId };
  }

  async getTask(remoteTaskId: string, _task?: unknown, accountId?: string): Promise<GetTaskResult> {
    const now = this.clock.now();
    this.gets.push({ remoteTaskId, accountId, at: now });
    const job = this.jobs.get(remoteTaskId);
    if (!job || job.accountId !== accountId) return { ok: false, error: { code: 404, message: 'task not found' } };
    if (now < job.createdAt + this.nullRecordMs) return { ok: false, error: { code: 422, message: 'recordInfo is null' } };
    return { ok: true, status: this.statusOf(job, now) };
  }

  /** The status a callback or poll would report at `now`. */
  statusOf(job: RemoteJob, now: number) {
    if (now < job.doneAt) {
      const progress = Math.floor((100 * (now - job.createdAt)) / (job.doneAt - job.createdAt));
      return { state: 'generating' as const, progress, createTime: job.createdAt };
    }
    if (job.outcome === 'success') {
      return { state: 'success' as const, resultUrls: [`https://files.test/${job.taskId}.mp4`], createTime: job.createdAt, completeTime: job.doneAt };
    }
    return { state: 'fail' as const, failCode: job.outcome.failCode, failMsg: job.outcome.failMsg, createTime: job.createdAt, completeTime: job.doneAt };
  }

  /** Remote jobs that finished by `now`, for tests that deliver callbacks. */
  finishedJobs(now: number): { remoteTaskId: string; status: ReturnType<ScriptedGateway['statusOf']> }[] {
    return [...this.jobs.entries()].filter(([, j]) => j.doneAt <= now).map(([id, j]) => ({ remoteTaskId: id, status: this.statusOf(j, now) }));
  }

  /** The account that created the job. */
  accountOf(remoteTaskId: string): string | undefined {
    return this.jobs.get(remoteTaskId)?.accountId;
  }

  jobEnd(remoteTaskId: string): number | undefined {
    return this.jobs.get(remoteTaskId)?.doneAt;
  }
}
