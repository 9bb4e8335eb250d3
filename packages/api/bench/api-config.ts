/** `npm run bench:api`'s settings (command line), targets and workload, shared by its phases. */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

export const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, '../../..');

/** The phases, in the order they run; `--only` picks some of them (diagnosis: no README table then). */
export const PHASES = ['create', 'sse', 'late', 'big'] as const;
export type PhaseId = (typeof PHASES)[number];

/** Issue 11: 200 late subscribers each replaying a log of about this many stored events. */
export const LATE_EVENTS = 6_000;
/**
 * Events a task of this workload stores (added, queued, submitted, the polled states, succeeded...), measured:
 * 3,853 for 600 tasks, 5,941 to 6,029 for 935 (the status polls vary with timing); a little under, so that the
 * batch sized from it stores at least LATE_EVENTS. The table row says the number really replayed, and fails when
 * it falls short of LATE_EVENTS (the workload changed: update this figure).
 */
export const EVENTS_PER_TASK = 6.3;

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
    'late-events': { type: 'string', default: String(LATE_EVENTS) },
    'late-subscribers': { type: 'string', default: '200' },
    /** Comma-separated phases to run (create, sse, late, big); all by default. */
    only: { type: 'string' },
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
export { argv };

const num = (k: keyof typeof argv): number => {
  const n = Number(argv[k]);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${k} must be a positive number`);
  return n;
};

function phasesToRun(): ReadonlySet<PhaseId> {
  if (argv.only === undefined) return new Set(PHASES);
  const picked = argv.only.split(',').map((p) => p.trim());
  const unknown = picked.filter((p) => !(PHASES as readonly string[]).includes(p));
  if (unknown.length > 0 || picked.length === 0) throw new Error(`--only: unknown phase ${unknown.join(', ') || '(none)'}; phases are ${PHASES.join(', ')}`);
  if (argv['update-readme']) throw new Error('--only runs part of the bench: its table does not go into the README (drop --update-readme)');
  return new Set(picked as PhaseId[]);
}

export const cfg = {
  timeScale: num('time-scale'),
  createIterations: num('create-iterations'),
  createRows: num('create-rows'),
  bigRows: num('big-rows'),
  subscribers: num('subscribers'),
  sseRows: num('sse-rows'),
  concurrency: num('concurrency'),
  maxRunMs: num('max-run-minutes') * 60_000,
  lateEvents: num('late-events'),
  lateRows: Math.ceil(num('late-events') / EVENTS_PER_TASK),
  lateSubscribers: num('late-subscribers'),
  phases: phasesToRun(),
};

export const TARGETS = { createP95Ms: 50, acceptMs: 1000, rssMb: 200, lagP99Ms: 50, lateConnectMs: 5000, lateMeP99Ms: 100, lateRssMb: 250 };
export const SIM_KEY = 'bench-sim-key';
/** Worker threads the live and the late subscribers are spread over. */
export const CLIENT_WORKERS = 4;

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const log = (msg: string) => process.stderr.write(`[bench:api] ${msg}\n`);

/** `total` subscribers spread over CLIENT_WORKERS worker threads: how many each one runs. */
export function perWorker(total: number): number[] {
  const each = Math.ceil(total / CLIENT_WORKERS);
  return Array.from({ length: CLIENT_WORKERS }, (_, i) => Math.min(each, total - i * each)).filter((n) => n > 0);
}

/**
 * A live model whose assumed simulator time (65 s) is close to the seed's 720p job (72 s) that earlier runs used
 * (rows without a model took the catalog's first, Sora 2): the workload stays comparable now that the default is live.
 */
const BENCH_ROW = { model: 'wan-2.7', resolution: '720p', duration: 2 } as const;

export function rows(n: number, tag: string) {
  return Array.from({ length: n }, (_, i) => ({ prompt: `${tag} #${i}: a red fox running through fresh snow at dawn, cinematic, 35mm`, ...BENCH_ROW }));
}
