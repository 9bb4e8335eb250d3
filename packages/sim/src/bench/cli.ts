import { execFileSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { callsChart, runningChart, seedTableChart } from './charts.ts';
import { seedClaims, targets } from './claims.ts';
import { checksMarkdown, headlineTable, runsTable, seedTableMarkdown } from './report.ts';
import { runBench } from './run.ts';

/**
 * `npm run bench [-- --quick] [--seed N] [--out DIR] [--in-process] [--only id,prefix] [--update-readme]`: every scenario x strategy in virtual
 * time, then tables on stdout, bench/results/{latest.json,results.json,latest.md,*.svg}.
 */
const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '../../../..');

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const quick = process.argv.includes('--quick');
const seed = Number(arg('--seed') ?? 1);
const outDir = resolve(arg('--out') ?? join(repoRoot, 'bench/results'));
const only = arg('--only')?.split(',');

const { runs, timelines, results, totalWallS } = await runBench({
  seed,
  quick,
  inProcess: process.argv.includes('--in-process'),
  ...(only ? { only } : {}),
  onProgress: (line) => process.stderr.write(`${line}\n`),
});
const cells = results.seedTable;
const claims = seedClaims(runs);
const goals = targets(runs);
const mainStrategies = ['naive', 'seed', 'clipfleet', 'clipfleet+callbacks'];

function gitHead(): string | null {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' }).trim();
  } catch {
    return null;
  }
}
/** Whether the engine's files differ from the commit (others may be editing it in the same checkout). */
function engineDirty(): boolean | null {
  try {
    return execFileSync('git', ['status', '--porcelain', 'packages/engine'], { cwd: repoRoot, encoding: 'utf8' }).trim() !== '';
  } catch {
    return null;
  }
}
const latest = {
  generatedAt: new Date().toISOString(),
  gitCommit: gitHead(),
  engineUncommittedChanges: engineDirty(),
  node: process.version,
  totalWallS,
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
  `Generated ${latest.generatedAt} on Node ${process.version} at commit ${latest.gitCommit ?? 'unknown'}${latest.engineUncommittedChanges ? ' (with uncommitted engine changes in the checkout)' : ''}; ${runs.length} runs in ${latest.totalWallS} s wall (${os.cpus().length} CPUs, load average ${os.loadavg()[0]!.toFixed(1)} at the end: wall times depend on the machine's load, CPU times less so).`,
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
  // The project's front page carries the headline; packages/sim/README.md links to it.
  const readmePath = resolve(here, '../../../../README.md');
  const readme = await readFile(readmePath, 'utf8');
  const start = '<!-- bench:start -->';
  const end = '<!-- bench:end -->';
  const i = readme.indexOf(start);
  const j = readme.indexOf(end);
  if (i < 0 || j < i) throw new Error(`README has no ${start} ... ${end} section`);
  const section = [
    start,
    `### Results (written by \`npm run bench -- --update-readme\`, seed ${seed}${quick ? ', quick' : ''}, commit ${latest.gitCommit ?? 'unknown'}${latest.engineUncommittedChanges ? ' plus uncommitted engine changes' : ''})`,
    '',
    `${runs.length} runs in ${latest.totalWallS} s wall on ${os.cpus().length} CPUs (load average ${os.loadavg()[0]!.toFixed(1)} at the end). Full tables: [bench/results/latest.md](bench/results/latest.md); charts: [running tasks](bench/results/running-table-pro-50-50.svg), [status calls per task](bench/results/calls-per-task.svg), [overload](bench/results/running-overload.svg).`,
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
