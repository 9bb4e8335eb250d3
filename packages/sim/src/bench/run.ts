import { execFile } from 'node:child_process';
import { build } from 'esbuild';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { seedTable, type SeedCell } from './claims.ts';
import { startNodeOptions } from './nodeOptions.ts';
import { plan, runOne, TIMELINE_SCENARIOS, type RunRecord, type StrategyId } from './matrix.ts';
import { scenarioEntries } from './scenarios.ts';

const exec = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));

export interface BenchOptions {
  seed: number;
  quick: boolean;
  /** Run scale scenarios in this process instead of a fresh one each (no per-run RSS then). */
  inProcess: boolean;
  /** Only scenarios whose id starts with one of these. */
  only?: string[];
  onProgress?: (line: string) => void;
}

/** What a seed determines, and nothing else (no wall clock): same seed -> byte-identical JSON. */
export interface BenchResults {
  seed: number;
  quick: boolean;
  scenarios: Array<{ id: string; title: string; latency: string; faults: unknown; tasks: number }>;
  runs: Array<Pick<RunRecord, 'scenario' | 'strategy' | 'metrics'>>;
  seedTable: SeedCell[];
}

export interface BenchOutput {
  runs: RunRecord[];
  timelines: Map<string, Array<{ name: string; points: Array<[number, number]> }>>;
  results: BenchResults;
  totalWallS: number;
}

/**
 * The worker compiled to one plain JavaScript file (workspace packages inlined, npm packages external), as
 * `npm start` runs the server: the measured process carries no TypeScript loader (tsx alone is ~50 MB of RSS).
 */
let compiledWorker: Promise<string> | undefined;
function workerBundle(): Promise<string> {
  compiledWorker ??= (async () => {
    const outfile = resolve(here, '../../dist/bench-worker.mjs');
    await build({
      entryPoints: [join(here, 'worker.ts')],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      logLevel: 'warning',
      plugins: [
        {
          name: 'npm-packages-external',
          setup(b) {
            b.onResolve({ filter: /^[^./]/ }, (args) => (args.path.startsWith('@clipfleet/') ? undefined : { path: args.path, external: true }));
          },
        },
      ],
    });
    return outfile;
  })();
  return compiledWorker;
}

async function isolatedRun(scenarioId: string, strategy: StrategyId, seed: number): Promise<Pick<RunRecord, 'metrics' | 'perf'>> {
  const { stdout } = await exec(process.execPath, [...startNodeOptions(resolve(here, '../../../api/package.json')), await workerBundle(), scenarioId, strategy, String(seed)], {
    cwd: resolve(here, '../..'),
    maxBuffer: 64 * 1024 * 1024,
  });
  const parsed = JSON.parse(stdout.trim().split('\n').at(-1)!) as Pick<RunRecord, 'metrics' | 'perf'>;
  return { metrics: parsed.metrics, perf: { ...parsed.perf, isolated: true } };
}

/** Every scenario x strategy of the plan, in order. */
export async function runBench(options: BenchOptions): Promise<BenchOutput> {
  const { seed } = options;
  const started = process.hrtime.bigint();
  const runs: RunRecord[] = [];
  const timelines: BenchOutput['timelines'] = new Map();
  const entries = scenarioEntries(seed, { quick: options.quick }).filter((s) => !options.only || options.only.some((p) => s.id.startsWith(p)));
  const described: BenchResults['scenarios'] = [];
  // One scenario built at a time: the big ones hold their specs only while they run.
  for (const entry of entries) {
    const scenario = entry.build();
    described.push({ id: scenario.id, title: scenario.title, latency: scenario.latency, faults: scenario.faults ?? 'none', tasks: scenario.batches.reduce((n, b) => n + b.tasks.length, 0) });
    const { strategies, isolated } = plan(scenario);
    for (const strategy of strategies) {
      let record: RunRecord;
      if (isolated && !options.inProcess) {
        const r = await isolatedRun(scenario.id, strategy, seed);
        record = { scenario: scenario.id, strategy, metrics: r.metrics, perf: r.perf };
      } else {
        const withTimeline = TIMELINE_SCENARIOS.has(scenario.id) && strategy !== 'fixed-first-stage';
        const r = await runOne(scenario, strategy, seed, withTimeline);
        record = { scenario: scenario.id, strategy, metrics: r.metrics, perf: { ...r.perf, isolated: false } };
        if (withTimeline) {
          const series = timelines.get(scenario.id) ?? [];
          series.push({ name: strategy, points: r.timeline });
          timelines.set(scenario.id, series);
        }
      }
      runs.push(record);
      options.onProgress?.(`bench: ${scenario.id} / ${strategy}: ${record.perf.wallMs.toFixed(0)} ms wall, ${record.perf.cpuMs.toFixed(0)} ms CPU`);
    }
  }
  const results: BenchResults = {
    seed,
    quick: options.quick,
    scenarios: described,
    runs: runs.map((r) => ({ scenario: r.scenario, strategy: r.strategy, metrics: r.metrics })),
    seedTable: seedTable(runs),
  };
  return { runs, timelines, results, totalWallS: Math.round(Number(process.hrtime.bigint() - started) / 1e8) / 10 };
}
