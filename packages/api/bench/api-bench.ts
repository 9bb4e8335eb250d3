/**
 * `npm run bench:api`: the API server's targets from issue 5 §6, measured over loopback HTTP.
 *
 *  1. batch.create of 500 rows: p95 latency (client-observed round trip, typed tRPC client).
 *  2. a 10,000-row batch: accepted (create round trip), then run to the end; server RSS peak.
 *  3. 200 concurrent SSE subscribers (batch.onProgress) on one running batch: every subscriber must see exactly
 *     the batch's full event history (compared with a replay from task_events after the end).
 *  4. server event-loop lag (perf_hooks.monitorEventLoopDelay in the server process) p99, per phase and overall.
 *  5. 200 late subscribers (batch.onProgressGrouped, what the web client uses) joining a finished batch with about
 *     6,000 stored events: time until each gets its first message, every event received once in order, `me.get`
 *     latency measured meanwhile, server RSS.
 *
 * The server child runs the compiled bundle (dist/bench-server.js, built first by build.mjs), as `npm start` does.
 * `--update-readme` writes the table into the root README between the bench-api markers.
 * The server runs alone in a child process (server-child.ts) so its RSS and lag are its own; the simulated KIE
 * (@clipfleet/sim HTTP face) and the load generators run here. KIE calls go through the real HTTP client, with
 * both clocks sped up by --time-scale. Every figure printed and written to bench/results/api-latest.json is
 * measured by this run. Loopback only; every loop is bounded.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startKieSimServer, startNodeOptions } from '@clipfleet/sim';
import { EventSource } from 'eventsource';
import { createClipFleetClient, type ClipFleetClient } from '../src/index.ts';
import { Worker } from 'node:worker_threads';
import type { LateWorkerInput, LateWorkerOutput } from './late-clients.ts';
import type { LiveSubscriber, LiveWorkerInput, LiveWorkerOutput } from './live-clients.ts';
import type { ChildReport, ParentCommand, PhaseFigures } from './protocol.ts';
import { markdownTable, percentile, round1, type TableRow } from './stats.ts';
import { gitCommit, writeReadmeSection } from './readme.ts';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '../../..');

const { values: argv } = parseArgs({
  options: {
    'time-scale': { type: 'string', default: '20' },
    'create-iterations': { type: 'string', default: '30' },
    'create-rows': { type: 'string', default: '500' },
    'big-rows': { type: 'string', default: '10000' },
    subscribers: { type: 'string', default: '200' },
    'sse-rows': { type: 'string', default: '100' },
    concurrency: { type: 'string', default: '100' },
    'max-run-minutes': { type: 'string', default: '30' },
    'late-rows': { type: 'string', default: '600' },
    'late-subscribers': { type: 'string', default: '200' },
    'update-readme': { type: 'boolean', default: false },
    out: { type: 'string', default: join(repoRoot, 'bench/results/api-latest.json') },
    /** Write a V8 CPU profile of the server process into this folder (diagnosis; slows the server a little). */
    'cpu-prof': { type: 'string' },
    /** Append the server's memory by kind (RSS, V8 heap, external) and CPU time, once a second, to this file (diagnosis). */
    'mem-log': { type: 'string' },
    /** Extra Node options for the server process, space-separated (diagnosis, e.g. "--trace-gc"). */
    'server-node-options': { type: 'string' },
  },
});
const num = (k: keyof typeof argv): number => {
  const n = Number(argv[k]);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${k} must be a positive number`);
  return n;
};
const cfg = {
  timeScale: num('time-scale'),
  createIterations: num('create-iterations'),
  createRows: num('create-rows'),
  bigRows: num('big-rows'),
  subscribers: num('subscribers'),
  sseRows: num('sse-rows'),
  concurrency: num('concurrency'),
  maxRunMs: num('max-run-minutes') * 60_000,
  lateRows: num('late-rows'),
  lateSubscribers: num('late-subscribers'),
};
const TARGETS = { createP95Ms: 50, acceptMs: 1000, rssMb: 200, lagP99Ms: 50, lateConnectMs: 5000, lateMeP99Ms: 100, lateRssMb: 250 };
const SIM_KEY = 'bench-sim-key';
const CREATE_WARMUP = 3;
/** Worker threads the live and the late subscribers are spread over. */
const LATE_WORKERS = 4;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (msg: string) => process.stderr.write(`[bench:api] ${msg}\n`);

/**
 * A live model whose assumed simulator time (65 s) is close to the seed's 720p job (72 s) that earlier runs used
 * (rows without a model took the catalog's first, Sora 2): the workload stays comparable now that the default is live.
 */
const BENCH_ROW = { model: 'wan-2.7', resolution: '720p', duration: 2 } as const;

function rows(n: number, tag: string) {
  return Array.from({ length: n }, (_, i) => ({ prompt: `${tag} #${i}: a red fox running through fresh snow at dawn, cinematic, 35mm`, ...BENCH_ROW }));
}

// ---- the server child ------------------------------------------------------------------------------

interface Child {
  proc: ChildProcess;
  url: string;
  adminKey: string;
  phases: PhaseFigures[];
  overall: Promise<PhaseFigures>;
  phase(name: string): void;
  stop(): Promise<void>;
}

async function startChild(simUrl: string, dbPath: string): Promise<Child> {
  const proc = fork(resolve(here, '../dist/bench-server.js'), [], {
    execArgv: [
      ...startNodeOptions(resolve(here, '../package.json')),
      ...(argv['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${resolve(argv['cpu-prof'])}`] : []),
      ...(argv['server-node-options']?.split(' ').filter(Boolean) ?? []),
    ],
    env: { ...process.env, BENCH_SIM_URL: simUrl, BENCH_SIM_KEY: SIM_KEY, BENCH_TIME_SCALE: String(cfg.timeScale), BENCH_DB: dbPath, ...(argv['mem-log'] ? { BENCH_MEM_LOG: resolve(argv['mem-log']) } : {}) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const phases: PhaseFigures[] = [];
  let stopping: Promise<void> | undefined;
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  let resolveOverall!: (f: PhaseFigures) => void;
  const overall = new Promise<PhaseFigures>((r) => (resolveOverall = r));
  let resolveStopped!: () => void;
  const stopped = new Promise<void>((r) => (resolveStopped = r));
  const ready = new Promise<{ url: string; adminKey: string }>((resolveReady, reject) => {
    proc.on('message', (msg: ChildReport) => {
      if (msg.type === 'ready') resolveReady(msg);
      else if (msg.type === 'phase') phases.push(msg.figures);
      else if (msg.type === 'overall') resolveOverall(msg.figures);
      else if (msg.type === 'stopped') resolveStopped();
      else if (msg.type === 'error') reject(new Error(`server child failed: ${msg.message}`));
    });
    proc.on('exit', (code) => {
      resolveStopped();
      reject(new Error(`server child exited (${code}) before it was ready`));
    });
  });
  const { url, adminKey } = await ready;
  // Sends are skipped once the child has gone (a late stop() in `finally` must not raise EPIPE).
  proc.on('error', (err) => log(`server child: ${err.message}`));
  const command = (c: ParentCommand) => {
    if (proc.connected) proc.send(c);
  };
  return {
    proc,
    url,
    adminKey,
    phases,
    overall,
    phase: (name) => command({ cmd: 'phase', name }),
    stop() {
      stopping ??= (async () => {
        command({ cmd: 'stop' });
        await Promise.race([stopped, sleep(30_000)]);
        // Let it exit by itself (a --cpu-prof profile is written at a normal exit); force it only if it hangs.
        await Promise.race([exited, sleep(10_000)]);
        if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      })();
      return stopping;
    },
  };
}

// ---- phases ---------------------------------------------------------------------------------------

/**
 * Each batch is created paused (timed), then cancelled and drained (every task cancelled, refunds written)
 * before the next one: the figure is batch.create itself, not the backlog of earlier iterations.
 */
async function benchCreate(client: ClipFleetClient) {
  const timings: number[] = [];
  let drainMs = 0;
  for (let i = 0; i < CREATE_WARMUP + cfg.createIterations; i++) {
    const body = { name: `create-bench ${i}`, rows: rows(cfg.createRows, `c${i}`), paused: true };
    const t0 = performance.now();
    const res = await client.batch.create.mutate(body);
    const ms = performance.now() - t0;
    if (res.taskCount !== cfg.createRows) throw new Error(`batch.create accepted ${res.taskCount} of ${cfg.createRows} rows`);
    if (i >= CREATE_WARMUP) timings.push(ms);
    const d0 = performance.now();
    await client.batch.cancel.mutate({ batchId: res.batchId });
    await drained(client, res.batchId);
    drainMs += performance.now() - d0;
  }
  return {
    iterations: timings.length,
    rows: cfg.createRows,
    p50Ms: round1(percentile(timings, 50)),
    p95Ms: round1(percentile(timings, 95)),
    maxMs: round1(Math.max(...timings)),
    /** In iteration order: shows whether create slows down as the database grows. */
    timingsMs: timings.map(round1),
    cancelAndDrainMeanMs: round1(drainMs / (CREATE_WARMUP + cfg.createIterations)),
  };
}

/** Waits (bounded: 60 s) until every task of a cancelled batch has reached a final state. */
async function drained(client: ClipFleetClient, batchId: string): Promise<void> {
  const end = Date.now() + 60_000;
  for (;;) {
    const b = await client.batch.get.query({ batchId });
    if (b.done === b.taskCount) return;
    if (Date.now() > end) throw new Error(`batch ${batchId}: cancellation not drained after 60 s (${b.done}/${b.taskCount})`);
    await sleep(20);
  }
}

interface Tracked {
  id: string;
  data: { type: string; seq: number };
}

/**
 * Runs a batch with N subscribers attached from its first event, then checks each against the full replay. The
 * subscribers (typed tRPC clients) run in worker threads (live-clients.ts), as the late ones do.
 */
async function benchSse(client: ClipFleetClient, url: string, apiKey: string) {
  const { batchId, taskCount } = await client.batch.create.mutate({ name: 'sse-bench', rows: rows(cfg.sseRows, 'sse'), paused: true });
  const perWorker = Math.ceil(cfg.subscribers / LATE_WORKERS);
  const counts = Array.from({ length: LATE_WORKERS }, (_, i) => Math.min(perWorker, cfg.subscribers - i * perWorker)).filter((n) => n > 0);
  const workers = counts.map((count) => new Worker(resolve(here, '../dist/bench-live-clients.js'), { workerData: { url, apiKey, batchId, count } satisfies LiveWorkerInput }));
  let connectedWorkers = 0;
  const results = new Map<Worker, LiveSubscriber[]>();
  const failures: Error[] = [];
  for (const w of workers) {
    w.on('message', (msg: LiveWorkerOutput) => (msg.type === 'connected' ? connectedWorkers++ : results.set(w, msg.subs)));
    w.once('error', (err) => failures.push(err));
  }
  const until = async (done: () => boolean, ms: number) => {
    const end = Date.now() + ms;
    while (!done() && failures.length === 0 && Date.now() < end) await sleep(100);
    if (failures.length > 0) throw failures[0]!;
  };
  // Every subscriber is connected once it has the batch.added event; only then does the batch start.
  await until(() => connectedWorkers === workers.length, 60_000);
  const connected = connectedWorkers === workers.length ? cfg.subscribers : 0;
  const t0 = performance.now();
  await client.batch.resume.mutate({ batchId });
  // Wait for every stream to end; once the batch itself has finished, allow 30 s more, then stop waiting.
  let finishedAt: number | null = null;
  const deadline = Date.now() + cfg.maxRunMs;
  let lastLog = Date.now();
  while (results.size < workers.length && Date.now() < deadline && (finishedAt === null || Date.now() - finishedAt < 30_000)) {
    await until(() => results.size === workers.length, 1000);
    if (finishedAt === null && (await client.batch.get.query({ batchId })).finishedAt !== null) finishedAt = Date.now();
    if (Date.now() - lastLog > 15_000) {
      lastLog = Date.now();
      log(`SSE: ${results.size}/${workers.length} workers' streams all ended, batch ${finishedAt === null ? 'running' : 'finished'}`);
    }
  }
  const runMs = performance.now() - t0;
  for (const w of workers) if (!results.has(w)) w.postMessage('stop');
  await until(() => results.size === workers.length, 30_000);
  await Promise.all(workers.map((w) => w.terminate()));
  const subs = workers.flatMap((w) => results.get(w) ?? []);

  // The reference: a fresh subscriber after the end replays the batch's whole history from task_events.
  const reference = await new Promise<string[]>((resolveRef, reject) => {
    const ids: string[] = [];
    const h = client.batch.onProgress.subscribe(
      { batchId, lastEventId: null },
      { onData: (item) => ids.push((item as Tracked).id), onComplete: () => resolveRef(ids), onError: reject },
    );
    setTimeout(() => {
      h.unsubscribe();
      reject(new Error('reference replay did not complete in 60 s'));
    }, 60_000).unref();
  });
  const refSet = new Set(reference);
  let complete = 0;
  let missed = 0;
  let duplicates = 0;
  let unexpected = 0;
  for (const sub of subs) {
    const got = new Set(sub.ids);
    duplicates += sub.ids.length - got.size;
    unexpected += [...got].filter((id) => !refSet.has(id)).length;
    const miss = reference.filter((id) => !got.has(id)).length;
    missed += miss;
    if (miss === 0 && sub.ids.length === reference.length && sub.done && sub.ids.every((id, i) => id === reference[i])) complete++;
  }
  const outcome = await client.batch.get.query({ batchId });
  return {
    batchCounts: outcome.counts,
    subscribers: subs.length,
    connected,
    batchTasks: taskCount,
    eventsPerSubscriber: reference.length,
    messagesDelivered: subs.reduce((n, s) => n + s.ids.length, 0),
    completeInOrder: complete,
    missedEvents: missed,
    duplicateEvents: duplicates,
    unexpectedEvents: unexpected,
    subscriptionErrors: subs.reduce((n, s) => n + s.errors, 0),
    runSeconds: round1(runMs / 1000),
  };
}

/**
 * Late subscribers: a batch run to the end first (its whole log stored), then N subscribers join at once and each
 * replays it from the start, while a probe keeps calling me.get. Connected = the first message arrived. Subscribers
 * and probe run in worker threads (late-clients.ts), so their parsing does not slow the timings taken here.
 */
async function benchLate(client: ClipFleetClient, url: string, apiKey: string) {
  const { batchId } = await client.batch.create.mutate({ name: 'late-bench', rows: rows(cfg.lateRows, 'late') });
  const deadline = Date.now() + cfg.maxRunMs;
  while ((await client.batch.get.query({ batchId })).finishedAt === null) {
    if (Date.now() > deadline) throw new Error('late-subscriber batch did not finish');
    await sleep(500);
  }
  // Compiled with the server (build.mjs): worker threads do not get tsx's loader.
  const worker = (input: LateWorkerInput) => new Worker(resolve(here, '../dist/bench-late-clients.js'), { workerData: input });
  const result = (w: Worker) => new Promise<LateWorkerOutput>((res, rej) => {
    w.once('message', res);
    w.once('error', rej);
  });
  const probe = worker({ mode: 'probe', url, apiKey, everyMs: 20 });
  const probed = result(probe);
  await sleep(500);
  const t0 = performance.now();
  const perWorker = Math.ceil(cfg.lateSubscribers / LATE_WORKERS);
  const groups = Array.from({ length: LATE_WORKERS }, (_, i) => Math.min(perWorker, cfg.lateSubscribers - i * perWorker)).filter((n) => n > 0);
  const outputs = await Promise.race([
    Promise.all(groups.map((count) => result(worker({ mode: 'subscribers', url, apiKey, batchId, count })))),
    sleep(180_000).then(() => { throw new Error('late subscribers: no end after 180 s'); }),
  ]);
  const replayMs = performance.now() - t0;
  probe.postMessage('stop');
  const meMs = ((await probed) as Extract<LateWorkerOutput, { mode: 'probe' }>).latenciesMs;
  const subs = outputs.flatMap((o) => (o.mode === 'subscribers' ? o.subs : []));
  const reference = subs.find((s) => s.done)?.seqs ?? [];
  const complete = subs.filter((s) => s.done && s.seqs.length === reference.length && s.seqs.every((seq, i) => seq === reference[i])).length;
  const firsts = subs.map((s) => s.firstMs ?? Infinity);
  return {
    subscribers: subs.length,
    rows: cfg.lateRows,
    eventsEach: reference.length,
    connectedWithinTarget: firsts.filter((ms) => ms <= TARGETS.lateConnectMs).length,
    connectMaxMs: round1(Math.max(...firsts)),
    completeInOrder: complete,
    errors: subs.filter((s) => s.error !== null).length,
    replaySeconds: round1(replayMs / 1000),
    meCalls: meMs.length,
    meP50Ms: round1(percentile(meMs, 50)),
    meP99Ms: round1(percentile(meMs, 99)),
    meMaxMs: round1(Math.max(...meMs)),
  };
}

async function benchBigBatch(client: ClipFleetClient) {
  const body = { name: 'big-bench', rows: rows(cfg.bigRows, 'big') };
  const t0 = performance.now();
  const { batchId, taskCount } = await client.batch.create.mutate(body);
  const acceptMs = performance.now() - t0;
  let last = await client.batch.get.query({ batchId });
  const deadline = Date.now() + cfg.maxRunMs;
  let lastLog = 0;
  while (last.finishedAt === null && Date.now() < deadline) {
    await sleep(1000);
    last = await client.batch.get.query({ batchId });
    if (Date.now() - lastLog > 15_000) {
      lastLog = Date.now();
      log(`big batch: ${last.done}/${last.taskCount} done (${last.counts.succeeded} succeeded) after ${round1((performance.now() - t0) / 1000)} s`);
    }
  }
  const runMs = performance.now() - t0;
  return {
    rows: taskCount,
    acceptMs: round1(acceptMs),
    finished: last.finishedAt !== null,
    runSeconds: round1(runMs / 1000),
    simulatedHours: round1((runMs * cfg.timeScale) / 3_600_000),
    counts: last.counts,
  };
}

// ---- main -----------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const startedAt = new Date().toISOString();
  const sim = await startKieSimServer({ port: 0, seed: 1, timeScale: cfg.timeScale, apiKeys: [SIM_KEY], latency: 'seed', faults: 'none' });
  const dir = mkdtempSync(join(tmpdir(), 'clipfleet-api-bench-'));
  let child: Child | undefined;
  // The compiled server, as `npm start` runs it (not TypeScript through tsx).
  execFileSync(process.execPath, ['build.mjs'], { cwd: resolve(here, '..'), stdio: 'inherit' });
  /** A fresh server on its own database, its enterprise plan opened up to the bench's concurrency. */
  const serve = async (dbFile: string) => {
    const c = await startChild(sim.url, join(dir, dbFile));
    log(`server ${c.url} (pid ${c.proc.pid}), simulated KIE ${sim.url}, time scale ${cfg.timeScale}x`);
    const admin = createClipFleetClient(c.url, c.adminKey, { EventSource });
    // The shipped enterprise plan runs 10-16 jobs at once; the bench lets one user fill the provider cap
    // (admin.updatePlan is the runtime hot-reload path), so the 10k batch loads the server as a full account would.
    await admin.admin.updatePlan.mutate({ planId: 'enterprise', patch: { concurrency: cfg.concurrency, modelConcurrency: {} } });
    // One user per phase: the engine adapts concurrency per user (degradation after failures/timeouts), so a
    // phase that stalls the server must not throttle the next one.
    const userKey = async (name: string) => (await admin.admin.createUser.mutate({ name, credits: 1e9, plan: 'enterprise' })).apiKey;
    const userClient = async (name: string) => createClipFleetClient(c.url, await userKey(name), { EventSource });
    return { c, userClient, userKey };
  };
  try {
    const first = await serve('bench.db');
    child = first.c;
    const userClient = first.userClient;

    child.phase('batch.create x500');
    log(`batch.create: ${CREATE_WARMUP} warm-up + ${cfg.createIterations} x ${cfg.createRows} rows`);
    const create = await benchCreate(await userClient('bench-create'));
    log(`batch.create p95 ${create.p95Ms} ms`);

    child.phase('sse');
    log(`SSE: ${cfg.subscribers} subscribers on a ${cfg.sseRows}-task batch`);
    const sseKey = await first.userKey('bench-sse');
    const sse = await benchSse(createClipFleetClient(child.url, sseKey, { EventSource }), child.url, sseKey);
    log(`SSE: ${sse.completeInOrder}/${sse.subscribers} complete, ${sse.missedEvents} missed`);

    child.phase('late subscribers');
    log(`late subscribers: ${cfg.lateSubscribers} join a finished ${cfg.lateRows}-task batch`);
    const lateKey = await first.userKey('bench-late');
    const late = await benchLate(createClipFleetClient(child.url, lateKey, { EventSource }), child.url, lateKey);
    log(`late subscribers: ${late.connectedWithinTarget}/${late.subscribers} connected within ${TARGETS.lateConnectMs} ms, me.get p99 ${late.meP99Ms} ms`);

    await child.stop();
    const overall1 = await Promise.race([child.overall, sleep(5_000).then(() => undefined)]);
    const phases1 = child.phases;

    // The big batch on a fresh server: its RSS is the run's own, not what the subscriber phases left behind.
    const second = await serve('bench-big.db');
    child = second.c;
    child.phase(`${cfg.bigRows}-row batch`);
    log(`${cfg.bigRows}-row batch`);
    const big = await benchBigBatch(await second.userClient('bench-big'));
    log(`${cfg.bigRows}-row batch accepted in ${big.acceptMs} ms, ran ${big.runSeconds} s`);
    await child.stop();
    const overall2 = await Promise.race([child.overall, sleep(5_000).then(() => undefined)]);
    const allPhases = [...phases1, ...child.phases.filter((p) => !p.phase.startsWith('setup'))];
    const overall = overall1 && overall2 ? { ...overall1, rssPeakMb: Math.max(overall1.rssPeakMb, overall2.rssPeakMb), lagP99Ms: Math.max(overall1.lagP99Ms, overall2.lagP99Ms), lagP50Ms: Math.max(overall1.lagP50Ms, overall2.lagP50Ms), lagMaxMs: Math.max(overall1.lagMaxMs, overall2.lagMaxMs) } : undefined;
    const phases = Object.fromEntries(allPhases.map((p) => [p.phase, p]));
    const bigPhase = phases[`${cfg.bigRows}-row batch`];
    const latePhase = phases['late subscribers'];
    const simStats = sim.stats();
    const account = simStats.accounts[SIM_KEY];

    const table: TableRow[] = [
      { metric: `batch.create ${create.rows} rows p95 (p50, max)`, target: `<= ${TARGETS.createP95Ms} ms`, measured: `${create.p95Ms} ms (${create.p50Ms}, ${create.maxMs}) over ${create.iterations}`, pass: create.p95Ms <= TARGETS.createP95Ms },
      { metric: `${big.rows}-row batch accepted`, target: `<= ${TARGETS.acceptMs} ms`, measured: `${big.acceptMs} ms`, pass: big.acceptMs <= TARGETS.acceptMs },
      { metric: `${big.rows}-row batch run to the end`, target: 'finished', measured: `${big.finished ? 'finished' : 'NOT finished'} in ${big.runSeconds} s (${big.simulatedHours} h simulated): ${big.counts.succeeded} succeeded, ${big.counts.failed} failed, ${big.counts.timedOut} timed out`, pass: big.finished },
      { metric: `server RSS peak during the ${big.rows}-row run`, target: `<= ${TARGETS.rssMb} MB`, measured: bigPhase ? `${bigPhase.rssPeakMb} MB` : 'n/a', pass: bigPhase ? bigPhase.rssPeakMb <= TARGETS.rssMb : false },
      { metric: `SSE: ${sse.subscribers} subscribers, ${sse.eventsPerSubscriber} events each`, target: 'no missed event', measured: `${sse.completeInOrder}/${sse.subscribers} complete and in order; missed ${sse.missedEvents}, duplicates ${sse.duplicateEvents}, errors ${sse.subscriptionErrors} (batch: ${sse.batchCounts.succeeded} succeeded, ${sse.batchCounts.timedOut} timed out, ${sse.batchCounts.failed} failed, in ${sse.runSeconds} s)`, pass: sse.completeInOrder === sse.subscribers && sse.missedEvents === 0 && sse.duplicateEvents === 0 },
      { metric: `late subscribers: ${late.subscribers} join a finished ${late.rows}-task batch (${late.eventsEach} events each, grouped stream)`, target: `all connected within ${TARGETS.lateConnectMs / 1000} s`, measured: `${late.connectedWithinTarget}/${late.subscribers} (slowest first message ${late.connectMaxMs} ms); ${late.completeInOrder}/${late.subscribers} complete and in order, errors ${late.errors}, all replays done in ${late.replaySeconds} s`, pass: late.connectedWithinTarget === late.subscribers && late.completeInOrder === late.subscribers },
      { metric: 'late subscribers: me.get latency meanwhile p99 (p50, max)', target: `<= ${TARGETS.lateMeP99Ms} ms`, measured: `${late.meP99Ms} ms (${late.meP50Ms}, ${late.meMaxMs}) over ${late.meCalls} calls`, pass: late.meP99Ms <= TARGETS.lateMeP99Ms },
      { metric: 'late subscribers: server RSS peak', target: `<= ${TARGETS.lateRssMb} MB`, measured: latePhase ? `${latePhase.rssPeakMb} MB` : 'n/a', pass: latePhase ? latePhase.rssPeakMb <= TARGETS.lateRssMb : false },
      ...[...allPhases, ...(overall ? [{ ...overall, phase: 'whole bench (worst of both servers)' }] : [])].map((p) => ({
        metric: `server event-loop lag p99 (p50, max) [RSS peak]: ${p.phase}`,
        target: `<= ${TARGETS.lagP99Ms} ms`,
        measured: `${p.lagP99Ms} ms (${p.lagP50Ms}, ${p.lagMaxMs}) [${p.rssPeakMb} MB]`,
        pass: p.lagP99Ms <= TARGETS.lagP99Ms,
      })),
      { metric: 'KIE calls (simulated provider)', target: '', measured: `${account?.createCalls ?? 0} createTask, ${account?.queryCalls ?? 0} recordInfo`, pass: null },
    ];

    const result = {
      kind: 'clipfleet-api-bench',
      startedAt,
      finishedAt: new Date().toISOString(),
      node: process.version,
      config: { ...cfg, createWarmup: CREATE_WARMUP, kie: 'real HTTP client -> @clipfleet/sim HTTP face (loopback)', db: 'SQLite file (WAL) in a temp dir' },
      targets: TARGETS,
      create,
      sse,
      late,
      bigBatch: big,
      server: { phases: allPhases, overall: overall ?? null },
      kie: { createCalls: account?.createCalls ?? 0, queryCalls: account?.queryCalls ?? 0, codes: account?.codes ?? {} },
      pass: table.every((r) => r.pass !== false),
    };
    mkdirSync(dirname(argv.out!), { recursive: true });
    writeFileSync(argv.out!, `${JSON.stringify(result, null, 2)}\n`);
    const heading = `### API bench (written by \`npm run bench:api -- --update-readme\`, ${startedAt.slice(0, 10)}, commit ${commit()}, Node ${process.version}, time scale ${cfg.timeScale}x)`;
    process.stdout.write(`\n${heading}\n\n${markdownTable(table)}\n\nWritten to ${argv.out}\n`);
    if (argv['update-readme']) writeReadme(`${heading}\n\n${markdownTable(table)}\n`);
    process.exitCode = result.pass ? 0 : 1;
  } finally {
    await child?.stop().catch(() => {});
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const commit = () => gitCommit(repoRoot);

/** The table goes between the bench-api markers (after the strategy bench's section if missing). */
function writeReadme(section: string): void {
  writeReadmeSection(repoRoot, 'bench-api', section, 'bench');
  log('README: API bench table written');
}

main().catch((err: unknown) => {
  process.stderr.write(`[bench:api] failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
