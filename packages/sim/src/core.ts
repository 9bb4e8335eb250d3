import { clipCredits, DEFAULT_CONFIG, type Catalog, type ProviderFamily } from '@clipfleet/engine';
import { parseFaults, BUSY_FAIL_MSG, GENERATION_FAIL_MSG, POLICY_FAIL_MSG, type FaultProfile, type FaultSpec } from './profiles/faults.ts';
import { resolveLatency, sampleLatencyMs, type JobClass, type LatencyProfile, type LatencyProfileName } from './profiles/latency.ts';
import { streamFor } from './rng.ts';
import { validateCreateBody, type CreateTaskBody } from './validate.ts';
import { kieError, type KieRecord, type KieResponse, type KieState, type VeoRecord } from './wire.ts';
import { MinHeap } from './heap.ts';
import { RequestShapes, SimJob, type JobOutcome } from './jobs.ts';

/** The time source the core needs: virtual (DiscreteEventClock) in-process, scaled real time over HTTP. */
export interface SimClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
}

export interface SimKieOptions {
  clock: SimClock;
  seed?: number;
  latency?: LatencyProfileName | LatencyProfile;
  faults?: FaultSpec;
  /** Accepted API keys (each is one KIE account). Default ['sim-key']. */
  apiKeys?: string[];
  /** Unix ms at clock time 0: createTime/completeTime are reported in Unix ms like KIE. */
  epochMs?: number;
  /** Base of result URLs (`<base>/<taskId>.mp4`); a function when it is known only later (HTTP port 0). */
  resultBaseUrl?: string | (() => string);
  /** Credits available per account (402 when a create would exceed it). Default unlimited. */
  creditsPerAccount?: number;
  /** Catalog the requests are checked against (each model's mapping) and priced with. Default: the shipped one. */
  catalog?: Catalog;
  /** KIE's createTask limit: `createLimit` per `createWindowMs` per account. */
  createLimit?: number;
  createWindowMs?: number;
  /** How long after create the record is still "recordInfo is null": uniform in this range (ms). */
  recordGraceMs?: [number, number];
  /** Callback delivery delay after completion: uniform in this range (ms). */
  callbackDelayMs?: [number, number];
}

/** Hints from a trusted in-process caller: stable keys make a task's fate independent of call order. */
export interface CreateHints {
  /** Identity of this attempt (e.g. `<engine task id>#<attempt>`): keys latency and generation failures. */
  key?: string;
  /** Identity of the content (prompt): keys policy refusals, so retrying a refused prompt fails again. */
  contentKey?: string;
}

export type FaultOp = 'create' | 'query';

/** A forced answer for the next matching call, for testing clients against every KIE error code. */
export interface InjectedFault {
  op: FaultOp;
  code: number;
  msg?: string;
  /** How many calls it applies to (default 1). */
  times?: number;
}

/** A job as the simulator keeps it (compact: see jobs.ts). */
export type SimTask = SimJob;

export interface AccountStats {
  createCalls: number;
  created: number;
  queryCalls: number;
  /** Answers by body code, create and query together. */
  codes: Record<string, number>;
  /** createTask's answers by body code (a 429 here means the account's window was passed). */
  createCodes: Record<string, number>;
  creditsCharged: number;
  creditsRefunded: number;
}

export interface SimTotals {
  accounts: Record<string, AccountStats>;
  tasksCreated: number;
  callbacksSent: number;
  callbacksLost: number;
  /** Most jobs running at once (created, not yet finished). */
  peakRunning: number;
}

export interface SimStats extends SimTotals {
  /** Create calls per attempt key (engine task id + attempt in-process, sequence number over HTTP). */
  createCallsByKey: Record<string, number>;
  /** Query calls per remote task id. */
  queriesByTask: Record<string, number>;
}

/** Receives a callback body in the task's family shape (Market: recordInfo's; Veo: its own). */
interface CallbackListener {
  (task: SimTask, body: KieResponse<unknown>): void;
}

const DEFAULT_EPOCH = Date.UTC(2026, 0, 1);

/** Outcomes shared by every job that ends so (a job record points at one). */
const SUCCESS: JobOutcome = { kind: 'success' };
const FAILED: Record<string, JobOutcome> = Object.fromEntries(
  [POLICY_FAIL_MSG, GENERATION_FAIL_MSG, BUSY_FAIL_MSG].map((failMsg) => [failMsg, { kind: 'fail', failCode: '501', failMsg }]),
);

/**
 * The simulated KIE provider. It answers in KIE's own shapes (`{code, msg, data}`), with the real quirks
 * always on: the create rate window (20 / 10 s / account, rejected calls not queued), "recordInfo is null"
 * right after create, errors as body codes, waiting -> queuing -> generating -> success|fail, resultJson as
 * a string. A task's whole timeline is drawn once at create time from its own seeded stream; state is then
 * a pure function of the clock, so no timers are needed except for callbacks.
 */
export class SimKie {
  readonly seed: number;
  readonly latency: LatencyProfile;
  readonly faults: FaultProfile;
  private readonly clock: SimClock;
  private readonly apiKeys: Set<string>;
  private readonly epochMs: number;
  private readonly resultBaseUrl: () => string;
  private readonly creditsPerAccount: number;
  private readonly createLimit: number;
  private readonly createWindowMs: number;
  private readonly recordGraceMs: [number, number];
  private readonly callbackDelayMs: [number, number];
  private readonly catalog: Catalog;

  private readonly tasksById = new Map<string, SimTask>();
  private readonly shapes = new RequestShapes();
  private readonly idParts = new Map<string, string>();
  private readonly accounts = new Map<string, AccountStats & { window: number[]; reserved: number }>();
  private readonly createCallsByKey = new Map<string, number>();
  private readonly injected: InjectedFault[] = [];
  private readonly callbackListeners: CallbackListener[] = [];
  private readonly progressListeners: CallbackListener[] = [];
  /** Completion times of tasks still running at KIE (min-heap), for the overload model and refunds. */
  private readonly running = new MinHeap<SimTask>((a, b) => a.completeAt < b.completeAt);
  private seq = 0;
  private callbacksSent = 0;
  private callbacksLost = 0;
  private peakRunning = 0;

  constructor(options: SimKieOptions) {
    this.clock = options.clock;
    this.seed = options.seed ?? 1;
    this.latency = resolveLatency(options.latency);
    this.faults = parseFaults(options.faults);
    this.apiKeys = new Set(options.apiKeys ?? ['sim-key']);
    this.epochMs = options.epochMs ?? DEFAULT_EPOCH;
    const base = options.resultBaseUrl ?? 'https://sim.kie.local/files';
    const fixed = typeof base === 'string' ? base.replace(/\/$/, '') : '';
    this.resultBaseUrl = typeof base === 'function' ? () => base().replace(/\/$/, '') : () => fixed;
    this.creditsPerAccount = options.creditsPerAccount ?? Infinity;
    this.createLimit = options.createLimit ?? 20;
    this.createWindowMs = options.createWindowMs ?? 10_000;
    this.recordGraceMs = options.recordGraceMs ?? [1_000, 4_000];
    this.callbackDelayMs = options.callbackDelayMs ?? [200, 2_000];
    this.catalog = options.catalog ?? DEFAULT_CONFIG.catalog;
  }

  /** Registers a receiver for callbacks (tasks created with a callBackUrl). Returns an unsubscribe. */
  onCallback(listener: CallbackListener): () => void {
    this.callbackListeners.push(listener);
    return () => {
      const i = this.callbackListeners.indexOf(listener);
      if (i >= 0) this.callbackListeners.splice(i, 1);
    };
  }

  /**
   * Registers a receiver for progress callbacks (tasks created with a progressCallBackUrl): one when
   * generation starts and at 25 / 50 / 75 % of it. Returns an unsubscribe.
   */
  onProgress(listener: CallbackListener): () => void {
    this.progressListeners.push(listener);
    return () => {
      const i = this.progressListeners.indexOf(listener);
      if (i >= 0) this.progressListeners.splice(i, 1);
    };
  }

  /** Forces the answer of the next `times` matching calls (after the auth check). */
  injectFault(fault: InjectedFault): void {
    this.injected.push({ ...fault, times: fault.times ?? 1 });
  }

  /** `POST /api/v1/jobs/createTask` (family `market`) or `POST /api/v1/veo/generate` (family `veo`). */
  createTask(apiKey: string | undefined, rawBody: unknown, hints: CreateHints = {}, family: ProviderFamily = 'market'): KieResponse<{ taskId: string }> {
    const now = this.clock.now();
    this.housekeep(now);
    const auth = this.authorize(apiKey, now);
    if (auth) return auth;
    const account = this.account(apiKey!);
    account.createCalls++;
    const seq = ++this.seq;
    const key = hints.key ?? `seq:${seq}`;
    const callNo = (this.createCallsByKey.get(key) ?? 0) + 1;
    this.createCallsByKey.set(key, callNo);
    const answer = this.decideCreate(apiKey!, account, rawBody, family, key, callNo, hints, now, seq);
    account.codes[answer.code] = (account.codes[answer.code] ?? 0) + 1;
    account.createCodes[answer.code] = (account.createCodes[answer.code] ?? 0) + 1;
    return answer;
  }

  /** `GET /api/v1/jobs/recordInfo?taskId=` (Market tasks). */
  recordInfo(apiKey: string | undefined, taskId: string | undefined): KieResponse<KieRecord> {
    return this.query(apiKey, taskId, 'market', (task, at) => this.recordOf(task, at));
  }

  /** `GET /api/v1/veo/record-info?taskId=` (Veo tasks). */
  veoRecordInfo(apiKey: string | undefined, taskId: string | undefined): KieResponse<VeoRecord> {
    return this.query(apiKey, taskId, 'veo', (task, at) => this.veoRecordOf(task, at));
  }

  private query<R>(apiKey: string | undefined, taskId: string | undefined, family: ProviderFamily, view: (task: SimTask, at: number) => R): KieResponse<R> {
    const now = this.clock.now();
    this.housekeep(now);
    const auth = this.authorize(apiKey, now);
    if (auth) return auth;
    const account = this.account(apiKey!);
    account.queryCalls++;
    const answer = this.decideQuery(apiKey!, taskId, now, family, view);
    account.codes[answer.code] = (account.codes[answer.code] ?? 0) + 1;
    return answer;
  }

  /** The task as the simulator knows it (its whole timeline), for tests and benchmark metrics. */
  task(taskId: string): SimTask | undefined {
    return this.tasksById.get(taskId);
  }

  tasks(): IterableIterator<SimTask> {
    return this.tasksById.values();
  }

  /** The task's record at `at` (default now), exactly as recordInfo would return its data. */
  recordOf(task: SimTask, at = this.clock.now()): KieRecord {
    const state = stateAt(task, at);
    const terminal = state === 'success' || state === 'fail';
    const progress = state === 'success' ? 100 : state === 'generating' ? progressAt(task, at) : state === 'fail' ? progressAt(task, task.completeAt) : 0;
    return {
      taskId: task.taskId,
      model: task.model,
      state,
      param: task.param,
      resultJson: state === 'success' ? JSON.stringify(this.resultUrls(task.taskId)) : '',
      failCode: state === 'fail' && task.outcome.kind === 'fail' ? task.outcome.failCode : null,
      failMsg: state === 'fail' && task.outcome.kind === 'fail' ? task.outcome.failMsg : null,
      costTime: terminal ? task.completeAt - task.createdAt : null,
      createTime: this.epochMs + task.createdAt,
      completeTime: terminal ? this.epochMs + task.completeAt : null,
      updateTime: this.epochMs + Math.min(at, task.completeAt),
      progress,
    };
  }

  /** A Veo task as `veo/record-info` returns it: `successFlag` 0 generating, 1 success, 3 generation failed. */
  veoRecordOf(task: SimTask, at = this.clock.now()): VeoRecord {
    const state = stateAt(task, at);
    const failed = state === 'fail' && task.outcome.kind === 'fail' ? task.outcome : undefined;
    const urls = state === 'success' ? this.resultUrls(task.taskId).resultUrls : undefined;
    return {
      taskId: task.taskId,
      paramJson: task.param,
      completeTime: state === 'success' || failed ? this.epochMs + task.completeAt : null,
      response: urls ? { taskId: task.taskId, resultUrls: urls, originUrls: urls, resolution: task.job.resolution } : null,
      successFlag: state === 'success' ? 1 : failed ? 3 : 0,
      errorCode: failed ? Number(failed.failCode) : null,
      errorMessage: failed ? failed.failMsg : '',
      createTime: this.epochMs + task.createdAt,
      fallbackFlag: false,
    };
  }

  /** The callback body KIE posts when the task ends, in its family's shape. */
  callbackBody(task: SimTask, at: number): KieResponse<unknown> {
    if (task.family === 'market') return { code: 200, msg: 'success', data: this.recordOf(task, at) };
    const r = this.veoRecordOf(task, at);
    if (r.successFlag === 1) return { code: 200, msg: 'success', data: { taskId: task.taskId, info: r.response, fallbackFlag: false } };
    return { code: r.errorCode ?? 501, msg: r.errorMessage || 'generation failed', data: { taskId: task.taskId } };
  }

  resultUrls(taskId: string): { resultUrls: string[]; resultWaterMarkUrls: string[] } {
    const base = this.resultBaseUrl();
    return { resultUrls: [`${base}/${taskId}.mp4`], resultWaterMarkUrls: [`${base}/${taskId}-wm.mp4`] };
  }

  /** Every call counted, per account, per attempt key and per task. */
  stats(): SimStats {
    const { accounts, tasksCreated, callbacksSent, callbacksLost, peakRunning } = this.totals();
    const queriesByTask: Record<string, number> = {};
    for (const t of this.tasksById.values()) queriesByTask[t.taskId] = t.queries;
    return { accounts, createCallsByKey: Object.fromEntries(this.createCallsByKey), queriesByTask, tasksCreated, callbacksSent, callbacksLost, peakRunning };
  }

  /** The counts of stats() without its per-key and per-task tables (constant size, for runs of any length). */
  totals(): SimTotals {
    this.housekeep(this.clock.now());
    const accounts: Record<string, AccountStats> = {};
    for (const [key, a] of [...this.accounts].sort(([x], [y]) => (x < y ? -1 : 1))) {
      accounts[key] = {
        createCalls: a.createCalls,
        created: a.created,
        queryCalls: a.queryCalls,
        codes: { ...a.codes },
        createCodes: { ...a.createCodes },
        creditsCharged: a.creditsCharged,
        creditsRefunded: a.creditsRefunded,
      };
    }
    return { accounts, tasksCreated: this.tasksById.size, callbacksSent: this.callbacksSent, callbacksLost: this.callbacksLost, peakRunning: this.peakRunning };
  }


  /** Tasks running at KIE now (created, not yet finished). */
  runningCount(): number {
    this.housekeep(this.clock.now());
    return this.running.size;
  }

  // --- decisions -------------------------------------------------------------------------------

  private authorize(apiKey: string | undefined, now: number): KieResponse<never> | undefined {
    if (!apiKey || !this.apiKeys.has(apiKey)) return kieError(401);
    const revoke = this.faults.auth;
    if (revoke && now >= revoke.revokeAtMs) return kieError(401, 'Unauthorized: API key revoked');
    return undefined;
  }

  private takeInjected(op: FaultOp): InjectedFault | undefined {
    if (this.injected.length === 0) return undefined;
    const i = this.injected.findIndex((f) => f.op === op);
    if (i < 0) return undefined;
    const fault = this.injected[i]!;
    fault.times = (fault.times ?? 1) - 1;
    if (fault.times <= 0) this.injected.splice(i, 1);
    return fault;
  }

  private inOutage(now: number): boolean {
    const o = this.faults.outage;
    return o !== null && now >= o.startMs && now < o.startMs + o.durationMs;
  }

  /** Whether an overload burst covers `now`: one burst per period, at a seeded offset inside it. */
  private inBurst(now: number): boolean {
    const o = this.faults.overload;
    if (!o || o.burstLengthMs <= 0) return false;
    const period = Math.floor(now / o.burstEveryMs);
    const offset = streamFor(this.seed, `burst/${period}`).between(0, Math.max(0, o.burstEveryMs - o.burstLengthMs));
    const into = now - period * o.burstEveryMs;
    return into >= offset && into < offset + o.burstLengthMs;
  }

  /**
   * A call's own random faults: a 429 in an overload burst (at `burstShare` of the burst's rate), then a 500 at
   * `errorRate`. The call's stream is drawn from only when one of them can happen (a fault-free run builds none).
   */
  private callFault(streamKey: string, now: number, burstShare: number, errorRate: number): KieResponse<never> | undefined {
    const overload = this.faults.overload;
    const rejectRate = overload && this.inBurst(now) ? overload.burstRejectRate * burstShare : 0;
    if (rejectRate <= 0 && errorRate <= 0) return undefined;
    const callRng = streamFor(this.seed, streamKey);
    if (callRng.chance(rejectRate)) return kieError(429);
    if (callRng.chance(errorRate)) return kieError(500);
    return undefined;
  }

  private decideCreate(
    apiKey: string,
    account: AccountStats & { window: number[]; reserved: number },
    rawBody: unknown,
    family: ProviderFamily,
    key: string,
    callNo: number,
    hints: CreateHints,
    now: number,
    seq: number,
  ): KieResponse<{ taskId: string }> {
    const forced = this.takeInjected('create');
    if (forced) return kieError(forced.code, forced.msg);
    if (this.inOutage(now)) return kieError(455);
    const valid = validateCreateBody(rawBody, family, this.catalog);
    if (!valid.ok) return kieError(422, valid.msg);
    const body = valid.body;
    // KIE's sliding window: over the limit the request is refused and does not enter the queue.
    const window = account.window;
    while (window.length > 0 && window[0]! <= now - this.createWindowMs) window.shift();
    if (window.length >= this.createLimit) return kieError(429);
    const fault = this.callFault(`create/${key}/${callNo}`, now, 1, this.faults.flaky.createErrorRate);
    if (fault) return fault;
    const job = jobClassOf(body);
    const entry = this.catalog.models.find((m) => m.id === body.catalogModel)!;
    const credits = clipCredits(entry, job.resolution, job.durationSec);
    if (account.reserved + credits > this.creditsPerAccount) return kieError(402);

    window.push(now);
    account.created++;
    account.reserved += credits;
    account.creditsCharged += credits;
    // Ids stay URL-path safe: some model ids have a slash (`kling-2.6/text-to-video`). join() makes one flat
    // string; a template literal would keep a tree of its parts (about 4x the bytes) for as long as the job lives.
    const taskId = ['task_', this.idPart(body.model), '_', this.epochMs + now, String(seq).padStart(5, '0')].join('');
    const task = this.planTask(taskId, apiKey, key, body, job, credits, hints, now);
    this.tasksById.set(taskId, task);
    this.pushRunning(task);
    if (body.callBackUrl) this.scheduleCallback(task);
    if (body.progressCallBackUrl && family === 'market') this.scheduleProgress(task);
    return { code: 200, msg: 'success', data: { taskId } };
  }

  /** Draws the task's whole timeline and fate from its own streams. */
  private planTask(
    taskId: string,
    account: string,
    key: string,
    body: CreateTaskBody,
    job: JobClass,
    credits: number,
    hints: CreateHints,
    now: number,
  ): SimTask {
    const rng = streamFor(this.seed, `task/${key}`);
    const visibleAt = now + Math.round(rng.between(this.recordGraceMs[0], this.recordGraceMs[1]));
    const queuedAt = visibleAt + Math.round(rng.between(1_000, 3_000));
    let total = sampleLatencyMs(this.latency, job, streamFor(this.seed, `latency/${key}`));
    const overload = this.faults.overload;
    const excess = overload ? Math.max(0, this.running.size + 1 - overload.slowdownAbove) : 0;
    if (overload) total = Math.round(total * (1 + overload.slowdownPerTask * excess));
    const generatingAt = Math.min(queuedAt + Math.round(rng.between(2_000, 8_000)), now + Math.round(total * 0.5));
    const plannedCompleteAt = Math.max(generatingAt + 1_000, now + total);
    let completeAt = plannedCompleteAt;
    let outcome: JobOutcome = SUCCESS;
    const { policy, flaky } = this.faults;
    // Streams are built only when a fate can be drawn from them (draws are the same either way).
    const fate = policy.rate > 0 || flaky.generationFailureRate > 0 || overload ? streamFor(this.seed, `fate/${key}`) : undefined;
    const contentKey = hints.contentKey ?? body.prompt;
    if (fate && policy.rate > 0 && streamFor(this.seed, `policy/${contentKey}`).chance(policy.rate)) {
      // Refusals come early: the safety check runs before (or at the start of) generation.
      outcome = FAILED[POLICY_FAIL_MSG]!;
      completeAt = generatingAt + Math.round(fate.between(5_000, 20_000));
    } else if (fate?.chance(flaky.generationFailureRate)) {
      outcome = FAILED[GENERATION_FAIL_MSG]!;
      completeAt = generatingAt + Math.round(fate.between(0.2, 1) * (completeAt - generatingAt));
    } else if (overload && fate?.chance(Math.min(overload.maxFailureRate, overload.failurePerTask * excess))) {
      outcome = FAILED[BUSY_FAIL_MSG]!;
      completeAt = generatingAt + Math.round(fate.between(0.3, 1) * (completeAt - generatingAt));
    }
    const shape = this.shapes.of(body, job);
    return new SimJob(taskId, account, key, shape, body.prompt, credits, now, visibleAt, queuedAt, generatingAt, completeAt, plannedCompleteAt, outcome);
  }

  private decideQuery<R>(
    apiKey: string,
    taskId: string | undefined,
    now: number,
    family: ProviderFamily,
    view: (task: SimTask, at: number) => R,
  ): KieResponse<R> {
    if (!taskId) return kieError(400, 'taskId is required');
    const task = this.tasksById.get(taskId);
    if (task) task.queries++;
    const forced = this.takeInjected('query');
    if (forced) {
      if (forced.code === 501 && task) {
        // A forced generation failure: the task fails now, and the answer carries the failed record.
        this.failNow(task, now, forced.msg ?? GENERATION_FAIL_MSG);
        return { code: 501, msg: forced.msg ?? GENERATION_FAIL_MSG, data: view(task, now) };
      }
      return kieError(forced.code, forced.msg);
    }
    if (this.inOutage(now)) return kieError(455);
    const queryNo = task ? task.queries : 0;
    const fault = this.callFault(`query/${taskId}/${queryNo}`, now, 0.5, this.faults.flaky.queryErrorRate);
    if (fault) return fault;
    // Another account's task is as invisible as a missing one; so is another family's (its own endpoints know it).
    if (!task || task.account !== apiKey || task.family !== family) return kieError(404, `Task not found: ${taskId}`);
    if (now < task.visibleAt) return { code: 422, msg: family === 'veo' ? 'record is null' : 'recordInfo is null', data: null };
    return { code: 200, msg: 'success', data: view(task, now) };
  }

  private failNow(task: SimTask, now: number, failMsg: string): void {
    if (stateAt(task, now) === 'success' || stateAt(task, now) === 'fail') return;
    task.outcome = { kind: 'fail', failCode: '501', failMsg };
    task.completeAt = Math.max(now, task.visibleAt);
    task.generatingAt = Math.min(task.generatingAt, task.completeAt);
    task.queuedAt = Math.min(task.queuedAt, task.generatingAt);
    // The heap order changed: rebuild it (rare: test-only path).
    this.running.reorder();
  }

  private scheduleCallback(task: SimTask): void {
    const rng = streamFor(this.seed, `callback/${task.key}`);
    const lost = rng.chance(this.faults.lostCallbacks.rate);
    const delay = Math.round(rng.between(this.callbackDelayMs[0], this.callbackDelayMs[1]));
    const plannedComplete = task.completeAt;
    this.clock.setTimeout(
      () => {
        if (task.completeAt !== plannedComplete && task.completeAt > this.clock.now()) return; // moved later: not finished yet
        if (lost) {
          task.callbacksLost++;
          this.callbacksLost++;
          return;
        }
        task.callbacksSent++;
        this.callbacksSent++;
        const body = this.callbackBody(task, Math.max(this.clock.now(), task.completeAt));
        for (const listener of [...this.callbackListeners]) listener(task, body);
      },
      Math.max(0, task.completeAt - this.clock.now()) + delay,
    );
  }

  private scheduleProgress(task: SimTask): void {
    const now = this.clock.now();
    for (const quarter of [0, 1, 2, 3]) {
      const at = task.generatingAt + Math.round((quarter / 4) * (task.completeAt - task.generatingAt));
      this.clock.setTimeout(() => {
        // A task failed early (or forced to fail) sends no more progress.
        if (stateAt(task, this.clock.now()) !== 'generating') return;
        const body: KieResponse<KieRecord> = { code: 200, msg: 'success', data: this.recordOf(task) };
        for (const listener of [...this.progressListeners]) listener(task, body);
      }, Math.max(0, at - now));
    }
  }

  // --- bookkeeping -----------------------------------------------------------------------------

  private account(apiKey: string): AccountStats & { window: number[]; reserved: number } {
    let a = this.accounts.get(apiKey);
    if (!a) {
      a = { createCalls: 0, created: 0, queryCalls: 0, codes: {}, createCodes: {}, creditsCharged: 0, creditsRefunded: 0, window: [], reserved: 0 };
      this.accounts.set(apiKey, a);
    }
    return a;
  }

  /** Retires finished tasks from the running set; failed generations are refunded (KIE refunds failures). */
  private housekeep(now: number): void {
    while ((this.running.peek()?.completeAt ?? Infinity) <= now) {
      const done = this.running.pop()!;
      if (done.outcome.kind === 'fail') {
        const a = this.account(done.account);
        a.reserved -= done.credits;
        a.creditsRefunded += done.credits;
      }
    }
  }

  /** A model id as it appears in task ids (one per model, not one per job). */
  private idPart(model: string): string {
    let part = this.idParts.get(model);
    if (part === undefined) this.idParts.set(model, (part = model.replace(/[^\w.-]/g, '-')));
    return part;
  }

  private pushRunning(task: SimTask): void {
    this.running.push(task);
    // Pushed right after housekeep(now): the set holds exactly the jobs running now.
    if (this.running.size > this.peakRunning) this.peakRunning = this.running.size;
  }
}

/** Generation progress (0-99) at `t`: a failed task's stays where it stopped. */
function progressAt(task: SimTask, t: number): number {
  return Math.max(0, Math.min(99, Math.floor((100 * (t - task.generatingAt)) / Math.max(1, task.plannedCompleteAt - task.generatingAt))));
}

/** The state of a task at time `at`: a pure function of its timeline. */
export function stateAt(task: SimTask, at: number): KieState {
  if (at >= task.completeAt) return task.outcome.kind === 'success' ? 'success' : 'fail';
  if (at >= task.generatingAt) return 'generating';
  if (at >= task.queuedAt) return 'queuing';
  return 'waiting';
}

export function jobClassOf(body: CreateTaskBody): JobClass {
  return { model: body.catalogModel, resolution: body.resolution, durationSec: body.durationSec };
}

