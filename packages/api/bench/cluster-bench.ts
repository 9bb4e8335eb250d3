/**
 * `npm run bench:cluster`: the same workload (users x rows on the enterprise plan, the simulator's HTTP face) on
 * one process with SQLite (today's embedded mode) and on local clusters on one Postgres: 1 or 3 workers, 1 or 2
 * KIE accounts; in the 3-worker runs one worker is SIGKILLed mid-run. Measured: KIE creates per 10 s (simulated
 * time, mean over the submitting phase and the busiest window), makespan, failover time after the kill (until
 * every user of the dead worker has a new owner), peak RSS per process, and the ratio to the single-process run.
 * `--update-readme` writes the table into the root README between the bench-cluster markers.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startLocalCluster, type ClusterProcess } from '../src/cluster/local.ts';
import { openDatabase } from '../src/db/database.ts';
import { createDatabase, startEmbeddedPostgres } from '../src/db/embedded-postgres.ts';
import { leaseOwners, maxInWindow, submitWorkload } from '../test/helpers/cluster-workload.ts';
import { gitCommit, writeReadmeSection } from './readme.ts';
import { markdownTable, round1 } from './stats.ts';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '../../..');
const { values: argv } = parseArgs({
  options: {
    users: { type: 'string', default: '5' },
    rows: { type: 'string', default: '60' },
    'time-scale': { type: 'string', default: '20' },
    'lease-ms': { type: 'string', default: '3000' },
    out: { type: 'string', default: join(repoRoot, 'bench/results/cluster-latest.json') },
    'update-readme': { type: 'boolean', default: false },
  },
});
const USERS = Number(argv.users);
const ROWS = Number(argv.rows);
const TIME_SCALE = Number(argv['time-scale']);
const LEASE_MS = Number(argv['lease-ms']);
const WINDOW_MS = 10_000;

const log = (msg: string) => process.stderr.write(`[bench:cluster] ${msg}\n`);

interface Run {
  name: string;
  workers: number;
  apis: number;
  accounts: number;
  kill: boolean;
  sqlite?: boolean;
}

const RUNS: Run[] = [
  { name: 'single process (SQLite)', workers: 0, apis: 1, accounts: 1, kill: false, sqlite: true },
  { name: '1 worker, 1 account', workers: 1, apis: 1, accounts: 1, kill: false },
  { name: '3 workers, 1 account', workers: 3, apis: 2, accounts: 1, kill: true },
  { name: '1 worker, 2 accounts', workers: 1, apis: 1, accounts: 2, kill: false },
  { name: '3 workers, 2 accounts', workers: 3, apis: 2, accounts: 2, kill: true },
];

interface Figures {
  run: Run;
  createsPer10sMean: number;
  createsPer10sPeak: number;
  makespanS: number;
  failoverMs: number | null;
  rssMb: Record<string, number>;
  codes: Record<string, number>;
}

/** VmRSS of a process in MB (0 once it is gone). */
function rssMb(pid: number | undefined): number {
  try {
    const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
    return kb / 1024;
  } catch {
    return 0;
  }
}

async function measure(run: Run, adminUrl: string): Promise<Figures> {
  const scratch = mkdtempSync(join(tmpdir(), 'clipfleet-bench-cluster-'));
  const dbUrl = run.sqlite ? undefined : await createDatabase(adminUrl, `bench_${Date.now().toString(36)}`);
  const cluster = await startLocalCluster({
    workers: run.workers,
    apis: run.apis,
    accounts: run.accounts,
    timeScale: TIME_SCALE,
    leaseMs: LEASE_MS,
    ...(run.sqlite ? { sqlitePath: join(scratch, 'clipfleet.db') } : { dbUrl: dbUrl! }),
  });
  const db = dbUrl ? await openDatabase(dbUrl) : undefined;
  const peaks = new Map<ClusterProcess, number>();
  const all = () => [...cluster.apis, ...cluster.workers];
  const sampler = setInterval(() => {
    for (const p of all()) peaks.set(p, Math.max(peaks.get(p) ?? 0, rssMb(p.child.pid)));
  }, 250);
  try {
    const started = Date.now();
    const batches = await submitWorkload(cluster, { users: USERS, rows: ROWS, plan: 'enterprise' });
    let failoverMs: number | null = null;
    if (run.kill && db) {
      // Mid-run: once a third of the rows were created at KIE.
      while (cluster.sim!.core.stats().tasksCreated < (USERS * ROWS) / 3) await new Promise((r) => setTimeout(r, 50));
      const [pid, users] = [...(await leaseOwners(db))].sort((a, b) => b[1].length - a[1].length)[0]!;
      const killedAt = Date.now();
      cluster.workers.find((w) => w.child.pid === pid)!.child.kill('SIGKILL');
      for (;;) {
        const owners = await leaseOwners(db);
        const taken = [...owners].filter(([p]) => p !== pid).flatMap(([, u]) => u);
        if (users.every((u) => taken.includes(u))) break;
        await new Promise((r) => setTimeout(r, 25));
      }
      failoverMs = Date.now() - killedAt;
    }
    await Promise.all(batches.map((b) => b.done));
    const makespanS = (Date.now() - started) / 1000;
    const jobs = [...cluster.sim!.core.tasks()];
    const times = jobs.map((j) => j.createdAt).sort((a, b) => a - b);
    const spanMs = Math.max(WINDOW_MS, times[times.length - 1]! - times[0]!);
    const rssByRole: Record<string, number> = {};
    for (const [p, mb] of peaks) rssByRole[p.role] = Math.max(rssByRole[p.role] ?? 0, mb);
    const codes: Record<string, number> = {};
    for (const a of Object.values(cluster.sim!.stats().accounts)) for (const [code, n] of Object.entries(a.codes)) codes[code] = (codes[code] ?? 0) + n;
    return {
      run,
      createsPer10sMean: (jobs.length / spanMs) * WINDOW_MS,
      createsPer10sPeak: maxInWindow(times, WINDOW_MS),
      makespanS,
      failoverMs,
      rssMb: rssByRole,
      codes,
    };
  } finally {
    clearInterval(sampler);
    await db?.destroy();
    await cluster.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
}

const commit = () => gitCommit(repoRoot);

async function main(): Promise<void> {
  const startedAt = new Date().toISOString();
  const pg = await startEmbeddedPostgres({ ephemeral: true });
  const figures: Figures[] = [];
  try {
    for (const run of RUNS) {
      log(`${run.name}: ${USERS} users x ${ROWS} rows at ${TIME_SCALE}x`);
      const f = await measure(run, pg.url());
      log(`  makespan ${round1(f.makespanS)} s, creates/10 s ${round1(f.createsPer10sMean)} (peak ${f.createsPer10sPeak})${f.failoverMs !== null ? `, failover ${f.failoverMs} ms` : ''}`);
      figures.push(f);
    }
  } finally {
    await pg.stop();
  }
  const single = figures[0]!;
  const header = ['run', 'processes', 'KIE creates / 10 s (mean, busiest window)', 'makespan', 'failover after SIGKILL', 'peak RSS per process', 'speed-up vs single process', '429s'];
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  for (const f of figures) {
    const procs = f.run.sqlite ? '1 (all)' : `${f.run.workers} worker + ${f.run.apis} API`;
    const rss = Object.entries(f.rssMb).map(([role, mb]) => `${role} ${Math.round(mb)} MB`).join(', ');
    lines.push(
      `| ${f.run.name} | ${procs} | ${round1(f.createsPer10sMean)}, ${f.createsPer10sPeak} | ${round1(f.makespanS)} s | ${f.failoverMs === null ? '-' : `${(f.failoverMs / 1000).toFixed(2)} s`} | ${rss} | ${(single.makespanS / f.makespanS).toFixed(2)}x | ${f.codes['429'] ?? 0} |`,
    );
  }
  const heading = `### Cluster bench (written by \`npm run bench:cluster -- --update-readme\`, ${startedAt.slice(0, 10)}, commit ${commit()}, Node ${process.version}; ${USERS} users x ${ROWS} rows, enterprise plan, time scale ${TIME_SCALE}x, lease ${LEASE_MS / 1000} s)`;
  const table = lines.join('\n');
  mkdirSync(dirname(argv.out!), { recursive: true });
  writeFileSync(argv.out!, `${JSON.stringify({ startedAt, users: USERS, rows: ROWS, timeScale: TIME_SCALE, leaseMs: LEASE_MS, figures }, null, 2)}\n`);
  process.stdout.write(`\n${heading}\n\n${table}\n`);
  if (argv['update-readme']) {
    writeReadmeSection(repoRoot, 'bench-cluster', `${heading}\n\n${table}\n\nMakespan is wall time from the first batch submitted to the last finished (simulated time is ${TIME_SCALE}x that). Failover: from the SIGKILL until every user of the killed worker has a new owner (at most the lease plus a heartbeat). A single KIE account allows 20 creates per 10 s, so extra workers bring failover, not throughput; a second account doubles the create rate.\n`, 'bench-api');
    log('README: cluster bench table written');
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`[bench:cluster] failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
