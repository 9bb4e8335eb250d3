/**
 * `npm run bench:api`: the API server's targets (issue 5 §6, issue 11), measured over loopback HTTP. Phases, each
 * in its own module under phases/:
 *
 *  1. create: batch.create of 500 rows, p95 latency.
 *  2. sse: 200 concurrent SSE subscribers (batch.onProgress) on one running batch, each checked against the log.
 *  3. late: 200 late subscribers (batch.onProgressGrouped, what the web client uses) replaying a finished batch of
 *     about 6,000 stored events: first message, exactly once in order, me.get meanwhile, server RSS.
 *  4. big: a 10,000-row batch accepted and run to the end on a fresh server; its RSS peak.
 * And throughout: the server's event-loop lag (perf_hooks.monitorEventLoopDelay in the server) p99 and RSS per phase.
 *
 * The server child runs the compiled bundle (dist/bench-server.js, built first by build.mjs), as `npm start` does,
 * alone in its process (server-child.ts) so its RSS and lag are its own; the simulated KIE (@clipfleet/sim HTTP
 * face) and the load generators run here. KIE calls go through the real HTTP client, with both clocks sped up by
 * --time-scale. Every figure printed and written to bench/results/api-latest.json is measured by this run.
 * `--update-readme` writes the table into the root README between the bench-api markers; `--only late,sse` runs
 * some phases (diagnosis). Loopback only; every loop is bounded.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { startKieSimServer } from '@clipfleet/sim';
import { argv, cfg, here, log, repoRoot, SIM_KEY, TARGETS } from './api-config.ts';
import { serve, stopServer, type Child } from './api-server.ts';
import { PHASE_NAMES, tableRows, type BenchFigures } from './api-table.ts';
import { benchBigBatch } from './phases/big.ts';
import { benchCreate } from './phases/create.ts';
import { benchLate } from './phases/late.ts';
import { benchSse } from './phases/sse.ts';
import type { PhaseFigures } from './protocol.ts';
import { gitCommit, writeReadmeSection } from './readme.ts';
import { markdownTable } from './stats.ts';

/** The figures taken as the worst of several servers. */
const WORST_OF = ['rssPeakMb', 'lagP99Ms', 'lagP50Ms', 'lagMaxMs', 'cpuSeconds'] as const;

/** The worst of several servers' whole-run figures. */
function worst(all: readonly PhaseFigures[]): PhaseFigures | undefined {
  if (all.length === 0) return undefined;
  const figures = { ...all[0]! };
  for (const k of WORST_OF) figures[k] = Math.max(...all.map((f) => f[k]));
  return figures;
}

async function main(): Promise<void> {
  const startedAt = new Date().toISOString();
  const sim = await startKieSimServer({ port: 0, seed: 1, timeScale: cfg.timeScale, apiKeys: [SIM_KEY], latency: 'seed', faults: 'none' });
  const dir = mkdtempSync(join(tmpdir(), 'clipfleet-api-bench-'));
  let child: Child | undefined;
  // The compiled server, as `npm start` runs it (not TypeScript through tsx).
  execFileSync(process.execPath, ['build.mjs'], { cwd: resolve(here, '..'), stdio: 'inherit' });
  const run = cfg.phases;
  const figures: BenchFigures = { phases: [], overall: undefined, kie: { createCalls: 0, queryCalls: 0 } };
  const overalls: PhaseFigures[] = [];
  const stop = async (c: Child, keepSetup: boolean) => {
    const { phases, overall } = await stopServer(c);
    figures.phases = [...figures.phases, ...phases.filter((p) => keepSetup || !p.phase.startsWith('setup'))];
    if (overall) overalls.push(overall);
  };
  try {
    if (run.has('create') || run.has('sse') || run.has('late')) {
      const first = await serve(sim.url, dir, 'bench.db');
      child = first.child;
      if (run.has('create')) {
        child.phase(PHASE_NAMES.create);
        log(`batch.create: 3 warm-up + ${cfg.createIterations} x ${cfg.createRows} rows`);
        figures.create = await benchCreate((await first.user('bench-create')).client);
        log(`batch.create p95 ${figures.create.p95Ms} ms`);
      }
      if (run.has('sse')) {
        child.phase(PHASE_NAMES.sse);
        log(`SSE: ${cfg.subscribers} subscribers on a ${cfg.sseRows}-task batch`);
        figures.sse = await benchSse(await first.user('bench-sse'));
        log(`SSE: ${figures.sse.completeInOrder}/${figures.sse.subscribers} complete, ${figures.sse.missedEvents} missed`);
      }
      if (run.has('late')) {
        const c = child;
        c.phase(PHASE_NAMES.lateRun);
        log(`late subscribers: a ${cfg.lateRows}-task batch runs to the end (about ${cfg.lateEvents} events), then ${cfg.lateSubscribers} subscribers replay it`);
        figures.late = await benchLate(await first.user('bench-late'), () => c.phase(PHASE_NAMES.late));
        log(`late subscribers: ${figures.late.connectedWithinTarget}/${figures.late.subscribers} connected within ${TARGETS.lateConnectMs} ms, ${figures.late.eventsEach} events each, me.get p99 ${figures.late.meP99Ms} ms`);
      }
      await stop(child, true);
    }
    if (run.has('big')) {
      // The big batch on a fresh server: its RSS is the run's own, not what the subscriber phases left behind.
      const second = await serve(sim.url, dir, 'bench-big.db');
      child = second.child;
      child.phase(PHASE_NAMES.big);
      log(`${cfg.bigRows}-row batch`);
      figures.big = await benchBigBatch((await second.user('bench-big')).client);
      log(`${cfg.bigRows}-row batch accepted in ${figures.big.acceptMs} ms, ran ${figures.big.runSeconds} s`);
      await stop(child, false);
    }
    figures.overall = worst(overalls);
    const account = sim.stats().accounts[SIM_KEY];
    figures.kie = { createCalls: account?.createCalls ?? 0, queryCalls: account?.queryCalls ?? 0 };
    const table = tableRows(figures);

    const result = {
      kind: 'clipfleet-api-bench',
      startedAt,
      finishedAt: new Date().toISOString(),
      node: process.version,
      config: { ...cfg, phases: [...cfg.phases], kie: 'real HTTP client -> @clipfleet/sim HTTP face (loopback)', db: 'SQLite file (WAL) in a temp dir' },
      targets: TARGETS,
      create: figures.create ?? null,
      sse: figures.sse ?? null,
      late: figures.late ?? null,
      bigBatch: figures.big ?? null,
      server: { phases: figures.phases, overall: figures.overall ?? null },
      kie: { ...figures.kie, codes: account?.codes ?? {} },
      pass: table.every((r) => r.pass !== false),
    };
    mkdirSync(dirname(argv.out!), { recursive: true });
    writeFileSync(argv.out!, `${JSON.stringify(result, null, 2)}\n`);
    const only = argv.only === undefined ? '' : `, only ${[...cfg.phases].join(', ')}`;
    const heading = `### API bench (written by \`npm run bench:api -- --update-readme\`, ${startedAt.slice(0, 10)}, commit ${gitCommit(repoRoot)}, Node ${process.version}, time scale ${cfg.timeScale}x${only})`;
    process.stdout.write(`\n${heading}\n\n${markdownTable(table)}\n\nWritten to ${argv.out}\n`);
    if (argv['update-readme']) {
      writeReadmeSection(repoRoot, 'bench-api', `${heading}\n\n${markdownTable(table)}\n`, 'bench');
      log('README: API bench table written');
    }
    process.exitCode = result.pass ? 0 : 1;
  } finally {
    await child?.stop().catch(() => {});
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`[bench:api] failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
