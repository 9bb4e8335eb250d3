import { clipCredits, DEFAULT_CONFIG, type Catalog, type ModelConfig, type ProviderFamily } from '@clipfleet/engine';
import { WireAnswers } from './answers.ts';
import { CallFaults, type InjectedFault } from './callFaults.ts';
import { Callbacks, type CallbackListener } from './callbacks.ts';
import { MinHeap } from './heap.ts';
import { RequestShapes, SimJob } from './jobs.ts';
import { parseFaults, GENERATION_FAIL_MSG, type FaultProfile, type FaultSpec } from './profiles/faults.ts';
import { resolveLatency, type JobClass, type LatencyProfile, type LatencyProfileName } from './profiles/latency.ts';
import { drawTimeline, failNow, type TimelineRules } from './timeline.ts';
import { validateCreateBody, type CreateTaskBody } from './validate.ts';
import { kieError, type KieRecord, type KieResponse, type VeoRecord } from './wire.ts';

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

const DEFAULT_EPOCH = Date.UTC(2026, 0, 1);

/** An account's counters, its createTask window (times of its recent creates) and the credits it has reserved. */
type Account = AccountStats & { window: number[]; reserved: number };

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
  private readonly epochMs: number;
  private readonly creditsPerAccount: number;
  private readonly createLimit: number;
  private readonly createWindowMs: number;
  private readonly catalog: Catalog;
  /** Each catalog model by id (creates price their job with its entry). */
  private readonly models: Map<string, ModelConfig>;
  private readonly timelineRules: TimelineRules;
  private readonly callFaults: CallFaults;
  private readonly answers: WireAnswers;
  private readonly callbacks: Callbacks;

  private readonly tasksById = new Map<string, SimTask>();
  private readonly shapes = new RequestShapes();
  private readonly idParts = new Map<string, string>();
  private readonly accounts = new Map<string, Account>();
  private readonly createCallsByKey = new Map<string, number>();
  /** Tasks still running at KIE, by completion time (min-heap), for the overload model and refunds. */
  private readonly running = new MinHeap<SimTask>((task) => task.completeAt);
  private seq = 0;
  private peakRunning = 0;
  /** The two query views, made once (a query is the simulator's most frequent call). */
  private readonly marketView = (task: SimTask, at: number) => this.answers.recordOf(task, at);
  private readonly veoView = (task: SimTask, at: number) => this.answers.veoRecordOf(task, at);

  constructor(options: SimKieOptions) {
    this.clock = options.clock;
    this.seed = options.seed ?? 1;
    this.latency = resolveLatency(options.latency);
    this.faults = parseFaults(options.faults);
    this.epochMs = options.epochMs ?? DEFAULT_EPOCH;
    const base = options.resultBaseUrl ?? 'https://sim.kie.local/files';
    const fixed = typeof base === 'string' ? base.replace(/\/$/, '') : '';
    this.answers = new WireAnswers(this.epochMs, typeof base === 'function' ? () => base().replace(/\/$/, '') : () => fixed);
    this.creditsPerAccount = options.creditsPerAccount ?? Infinity;
    this.createLimit = options.createLimit ?? 20;
    this.createWindowMs = options.createWindowMs ?? 10_000;
    this.catalog = options.catalog ?? DEFAULT_CONFIG.catalog;
    this.models = new Map();
    for (const m of this.catalog.models) if (!this.models.has(m.id)) this.models.set(m.id, m);
    this.timelineRules = { seed: this.seed, latency: this.latency, faults: this.faults, recordGraceMs: options.recordGraceMs ?? [1_000, 4_000] };
    this.callFaults = new CallFaults(this.seed, this.faults, new Set(options.apiKeys ?? ['sim-key']));
    this.callbacks = new Callbacks(this.clock, this.seed, this.faults.lostCallbacks.rate, options.callbackDelayMs ?? [200, 2_000], this.answers);
  }

  /** Registers a receiver for callbacks (tasks created with a callBackUrl). Returns an unsubscribe. */
  onCallback(listener: CallbackListener): () => void {
    return this.callbacks.onEnd(listener);
  }

  /**
   * Registers a receiver for progress callbacks (tasks created with a progressCallBackUrl): one when
   * generation starts and at 25 / 50 / 75 % of it. Returns an unsubscribe.
   */
  onProgress(listener: CallbackListener): () => void {
    return this.callbacks.onProgress(listener);
  }

  /** Forces the answer of the next `times` matching calls (after the auth check). */
  injectFault(fault: InjectedFault): void {
    this.callFaults.inject(fault);
  }

  /** `POST /api/v1/jobs/createTask` (family `market`) or `POST /api/v1/veo/generate` (family `veo`). */
  createTask(apiKey: string | undefined, rawBody: unknown, hints: CreateHints = {}, family: ProviderFamily = 'market'): KieResponse<{ taskId: string }> {
    const now = this.clock.now();
    this.housekeep(now);
    const auth = this.callFaults.authorize(apiKey, now);
    if (auth) return auth;
    const account = this.account(apiKey!);
    account.createCalls++;
    const seq = ++this.seq;
    const key = hints.key ?? `seq:${seq}`;
    const callNo = (this.createCallsByKey.get(key) ?? 0) + 1;
    this.createCallsByKey.set(key, callNo);
    const answer = this.decideCreate(apiKey!, account, rawBody, family, key, callNo, hints, now, seq);
    count(account.codes, answer.code);
    count(account.createCodes, answer.code);
    return answer;
  }

  /** `GET /api/v1/jobs/recordInfo?taskId=` (Market tasks). */
  recordInfo(apiKey: string | undefined, taskId: string | undefined): KieResponse<KieRecord> {
    return this.query(apiKey, taskId, 'market', this.marketView);
  }

  /** `GET /api/v1/veo/record-info?taskId=` (Veo tasks). */
  veoRecordInfo(apiKey: string | undefined, taskId: string | undefined): KieResponse<VeoRecord> {
    return this.query(apiKey, taskId, 'veo', this.veoView);
  }

  private query<R>(apiKey: string | undefined, taskId: string | undefined, family: ProviderFamily, view: (task: SimTask, at: number) => R): KieResponse<R> {
    const now = this.clock.now();
    this.housekeep(now);
    const auth = this.callFaults.authorize(apiKey, now);
    if (auth) return auth;
    const account = this.account(apiKey!);
    account.queryCalls++;
    const answer = this.decideQuery(apiKey!, taskId, now, family, view);
    count(account.codes, answer.code);
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
    return this.answers.recordOf(task, at);
  }

  /** A Veo task as `veo/record-info` returns it: `successFlag` 0 generating, 1 success, 3 generation failed. */
  veoRecordOf(task: SimTask, at = this.clock.now()): VeoRecord {
    return this.answers.veoRecordOf(task, at);
  }

  /** The callback body KIE posts when the task ends, in its family's shape. */
  callbackBody(task: SimTask, at: number): KieResponse<unknown> {
    return this.answers.callbackBody(task, at);
  }

  resultUrls(taskId: string): { resultUrls: string[]; resultWaterMarkUrls: string[] } {
    return this.answers.resultUrls(taskId);
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
    return {
      accounts,
      tasksCreated: this.tasksById.size,
      callbacksSent: this.callbacks.sent,
      callbacksLost: this.callbacks.lost,
      peakRunning: this.peakRunning,
    };
  }

  /** Tasks running at KIE now (created, not yet finished). */
  runningCount(): number {
    this.housekeep(this.clock.now());
    return this.running.size;
  }

  // --- decisions -------------------------------------------------------------------------------

  private decideCreate(
    apiKey: string,
    account: Account,
    rawBody: unknown,
    family: ProviderFamily,
    key: string,
    callNo: number,
    hints: CreateHints,
    now: number,
    seq: number,
  ): KieResponse<{ taskId: string }> {
    const faults = this.callFaults;
    const forced = faults.takeInjected('create');
    if (forced) return kieError(forced.code, forced.msg);
    if (faults.inOutage(now)) return kieError(455);
    const valid = validateCreateBody(rawBody, family, this.catalog);
    if (!valid.ok) return kieError(422, valid.msg);
    const body = valid.body;
    // KIE's sliding window: over the limit the request is refused and does not enter the queue.
    const window = account.window;
    while (window.length > 0 && window[0]! <= now - this.createWindowMs) window.shift();
    if (window.length >= this.createLimit) return kieError(429);
    const fault = faults.callFault('create', key, callNo, now, 1, this.faults.flaky.createErrorRate);
    if (fault) return fault;
    const job = jobClassOf(body);
    const credits = clipCredits(this.models.get(body.catalogModel)!, job.resolution, job.durationSec);
    if (account.reserved + credits > this.creditsPerAccount) return kieError(402);

    window.push(now);
    account.created++;
    account.reserved += credits;
    account.creditsCharged += credits;
    // Ids stay URL-path safe: some model ids have a slash (`kling-2.6/text-to-video`). join() makes one flat
    // string; a template literal would keep a tree of its parts (about 4x the bytes) for as long as the job lives.
    const taskId = ['task_', this.idPart(body.model), '_', this.epochMs + now, String(seq).padStart(5, '0')].join('');
    const timeline = drawTimeline(this.timelineRules, key, hints.contentKey ?? body.prompt, job, now, this.running.size);
    const param = JSON.stringify(body.raw);
    const task = new SimJob(taskId, apiKey, key, this.shapes.of(body, job, param), body.prompt, credits, now, timeline, param);
    this.tasksById.set(taskId, task);
    this.pushRunning(task);
    if (body.callBackUrl) this.callbacks.scheduleEnd(task);
    if (body.progressCallBackUrl && family === 'market') this.callbacks.scheduleProgress(task);
    return { code: 200, msg: 'success', data: { taskId } };
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
    const faults = this.callFaults;
    const forced = faults.takeInjected('query');
    if (forced) {
      if (forced.code === 501 && task) {
        // A forced generation failure: the task fails now, and the answer carries the failed record.
        // Its completion moved, so the running set is reordered (rare: test-only path).
        if (failNow(task, now, forced.msg ?? GENERATION_FAIL_MSG)) this.running.reorder();
        return { code: 501, msg: forced.msg ?? GENERATION_FAIL_MSG, data: view(task, now) };
      }
      return kieError(forced.code, forced.msg);
    }
    if (faults.inOutage(now)) return kieError(455);
    const fault = faults.callFault('query', taskId, task ? task.queries : 0, now, 0.5, this.faults.flaky.queryErrorRate);
    if (fault) return fault;
    // Another account's task is as invisible as a missing one; so is another family's (its own endpoints know it).
    if (!task || task.account !== apiKey || task.family !== family) return kieError(404, `Task not found: ${taskId}`);
    if (now < task.visibleAt) return { code: 422, msg: family === 'veo' ? 'record is null' : 'recordInfo is null', data: null };
    return { code: 200, msg: 'success', data: view(task, now) };
  }

  // --- bookkeeping -----------------------------------------------------------------------------

  private account(apiKey: string): Account {
    let a = this.accounts.get(apiKey);
    if (!a) {
      a = { createCalls: 0, created: 0, queryCalls: 0, codes: {}, createCodes: {}, creditsCharged: 0, creditsRefunded: 0, window: [], reserved: 0 };
      this.accounts.set(apiKey, a);
    }
    return a;
  }

  /** Retires finished tasks from the running set; failed generations are refunded (KIE refunds failures). */
  private housekeep(now: number): void {
    const running = this.running;
    while (running.size > 0 && running.topKey() <= now) {
      const done = running.pop()!;
      done.retire();
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

export function jobClassOf(body: CreateTaskBody): JobClass {
  return { model: body.catalogModel, resolution: body.resolution, durationSec: body.durationSec };
}


function count(codes: Record<string, number>, code: number): void {
  codes[code] = (codes[code] ?? 0) + 1;
}
