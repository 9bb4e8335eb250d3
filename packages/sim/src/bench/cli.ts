import { execFile, execFileSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { callsChart, runningChart, seedTableChart } from './charts.ts';
import { seedClaims, seedTable, targets } from './claims.ts';
import { plan, runOne, TIMELINE_SCENARIOS, type RunRecord, type StrategyId } from './matrix.ts';
import { checksMarkdown, headlineTable, runsTable, seedTableMarkdown } from './report.ts';
import { scenarios } from './scenarios.ts';

/**
 * `npm run bench [-- --quick] [--seed N] [--out DIR] [--in-process]`: every scenario x strategy in virtual
 * time, then tables on stdout, bench/results/{latest.json,results.json,latest.md,*.svg}.
 */
const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '../../../..');

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const quick = process.argv.includes('--quick');
const inProcess = process.argv.includes('--in-process');
const seed = Number(arg('--seed') ?? 1);
const outDir = resolve(arg('--out') ?? join(repoRoot, 'bench/results'));

async function isolatedRun(scenarioId: string, strategy: StrategyId): Promise<Pick<RunRecord, 'metrics' | 'perf'>> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', join(here, 'worker.ts'), scenarioId, strategy, String(seed)], {
    cwd: resolve(here, '../..'),
    maxBuffer: 64 * 1024 * 1024,
  });
  const line = stdout.trim().split('\n').at(-1)!;
  const parsed = JSON.parse(line) as Pick<RunRecord, 'metrics' | 'perf'>;
  return { metrics: parsed.metrics, perf: { ...parsed.perf, isolated: true } };
}

const started = process.hrtime.bigint();
const runs: RunRecord[] = [];
const timelines = new Map<string, Array<{ name: string; points: Array<[number, number]> }>>();
const list = scenarios(seed, { quick });
for (const scenario of list) {
  const { strategies, isolated } = plan(scenario);
  for (const strategy of strategies) {
    process.stderr.write(`bench: ${scenario.id} / ${strategy} ... `);
    let record: RunRecord;
    if (isolated && !inProcess) {
      const r = await isolatedRun(scenario.id, strategy);
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
    process.stderr.write(`${record.perf.wallMs.toFixed(0)} ms wall\n`);
  }
}
const totalWallS = Number(process.hrtime.bigint() - started) / 1e9;

const cells = seedTable(runs);
const claims = seedClaims(runs);
const goals = targets(runs);
const mainStrategies = ['naive', 'seed', 'clipfleet', 'clipfleet+callbacks'];

// results.json holds only what a seed determines (no wall clock): same seed -> byte-identical file.
const results = {
  seed,
  quick,
  scenarios: list.map((s) => ({ id: s.id, title: s.title, latency: s.latency, faults: s.faults ?? 'none', tasks: s.batches.reduce((n, b) => n + b.tasks.length, 0) })),
  runs: runs.map((r) => ({ scenario: r.scenario, strategy: r.strategy, metrics: r.metrics })),
  seedTable: cells,
};
function gitHead(): string | null {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' }).trim();
  } catch {
    return null;
  }
}
const latest = {
  generatedAt: new Date().toISOString(),
  gitCommit: gitHead(),
  node: process.version,
  totalWallS: Math.round(totalWallS * 10) / 10,
  processPeakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
  results,
  performance: runs.map((r) => ({ scenario: r.scenario, strategy: r.strategy, ...r.perf })),
  seedClaims: claims,
  targets: goals,
};

const charts: Record<string, string> = {
  'calls-per-task.svg': callsChart(runs.filter((r) => mainStrategies.includes(r.strategy)), mainStrategies),
  'seed-table.svg': seedTableChart(cells),
};
for (const [id, series] of timelines) {
  charts[`running-${id.replaceAll(/[/:]/g, '-')}.svg`] = runningChart(`Running tasks over time: ${id}`, series);
}

const markdown = [
  `# ClipFleet benchmark (seed ${seed}${quick ? ', quick' : ''})`,
  '',
  `Generated ${latest.generatedAt} on Node ${process.version} at commit ${latest.gitCommit ?? 'unknown'}; ${runs.length} runs in ${latest.totalWallS} s wall (${os.cpus().length} CPUs, load average ${os.loadavg()[0]!.toFixed(1)} at the end: wall times depend on the machine's load, CPU times less so).`,
  '',
  '## Headline',
  '',
  headlineTable(runs.filter((r) => mainStrategies.includes(r.strategy))),
  '',
  "## The seed's table (strategy `seed`, latency profile `seed`)",
  '',
  seedTableMarkdown(cells),
  '',
  "## The seed's claims",
  '',
  checksMarkdown(claims),
  '',
  '## Targets',
  '',
  checksMarkdown(goals),
  '',
  '## Every run',
  '',
  runsTable(runs),
  '',
  `Charts: ${Object.keys(charts).join(', ')}`,
  '',
].join('\n');

await mkdir(outDir, { recursive: true });
await writeFile(join(outDir, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
await writeFile(join(outDir, 'latest.json'), `${JSON.stringify(latest, null, 2)}\n`);
await writeFile(join(outDir, 'latest.md'), markdown);
for (const [name, svg] of Object.entries(charts)) await writeFile(join(outDir, name), svg);
if (process.argv.includes('--update-readme')) {
  // The README's results section is written by the benchmark itself: no figure is typed by hand.
  const readmePath = resolve(here, '../../README.md');
  const readme = await readFile(readmePath, 'utf8');
  const start = '<!-- bench:start -->';
  const end = '<!-- bench:end -->';
  const i = readme.indexOf(start);
  const j = readme.indexOf(end);
  if (i < 0 || j < i) throw new Error(`README has no ${start} ... ${end} section`);
  const section = [
    start,
    `### Results (written by \`npm run bench -- --update-readme\`, seed ${seed}${quick ? ', quick' : ''}, commit ${latest.gitCommit ?? 'unknown'})`,
    '',
    `${runs.length} runs in ${latest.totalWallS} s wall on ${os.cpus().length} CPUs (load average ${os.loadavg()[0]!.toFixed(1)} at the end). Full tables: [bench/results/latest.md](../../bench/results/latest.md).`,
    '',
    headlineTable(runs.filter((r) => mainStrategies.includes(r.strategy))),
    '',
    "#### The seed's table (strategy `seed`, latency profile `seed`)",
    '',
    seedTableMarkdown(cells),
    '',
    "#### The seed's claims, verified",
    '',
    checksMarkdown(claims),
    '',
    '#### Targets',
    '',
    checksMarkdown(goals),
    '',
    end,
  ].join('\n');
  await writeFile(readmePath, readme.slice(0, i) + section + readme.slice(j + end.length));
  process.stderr.write('bench: updated the README results section\n');
}
process.stdout.write(markdown);
process.stderr.write(`bench: wrote ${relative(process.cwd(), outDir) || '.'}/{results.json,latest.json,latest.md,${Object.keys(charts).join(',')}}\n`);
