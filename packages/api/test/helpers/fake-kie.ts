import type { CreateTaskRequest, KieGateway, RemoteStatus } from '@clipfleet/engine';

/**
 * A small in-process KIE for tests that do not need the simulator's HTTP face: every job finishes after
 * `jobMs` of wall time (or fails when `fail(req)` says so), and every call is counted.
 */
export class FakeKie implements KieGateway {
  readonly creates = new Map<string, number>();
  getCalls = 0;
  private jobs = new Map<string, { doneAt: number; fail: boolean; taskId: string }>();
  private next = 1;

  constructor(
    private readonly opts: { jobMs: number; fail?: (req: CreateTaskRequest) => boolean } = { jobMs: 50 },
  ) {}

  async createTask(req: CreateTaskRequest) {
    this.creates.set(req.task.taskId, (this.creates.get(req.task.taskId) ?? 0) + 1);
    const remoteTaskId = `fake_${this.next++}`;
    this.jobs.set(remoteTaskId, { doneAt: Date.now() + this.opts.jobMs, fail: this.opts.fail?.(req) ?? false, taskId: req.task.taskId });
    return { ok: true as const, remoteTaskId };
  }

  async getTask(remoteTaskId: string) {
    this.getCalls++;
    const job = this.jobs.get(remoteTaskId);
    if (!job) return { ok: false as const, error: { code: 404, message: 'task not found' } };
    let status: RemoteStatus;
    if (Date.now() < job.doneAt) status = { state: 'generating', progress: 50 };
    else if (job.fail) status = { state: 'fail', failCode: 400, failMsg: 'content policy violation (safety)' };
    else status = { state: 'success', resultUrls: [`https://example.invalid/${remoteTaskId}.mp4`] };
    return { ok: true as const, status };
  }
}
