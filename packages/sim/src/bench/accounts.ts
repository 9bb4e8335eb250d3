import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseFleetConfig } from '@clipfleet/engine';
import { runSimulation } from './harness.ts';
import { multiUser } from './scenarios.ts';
import { round } from './stats.ts';
import { clipfleetConfig } from './strategies.ts';

/**
 * `npm run bench:accounts [-- --update-readme]`: the same 4,000 tasks (200 enterprise users x 20 mixed clips,
 * global cap 1,000) on 1, 2, 4 and 8 KIE accounts (provider.accounts, a 20-per-10-s window each), in virtual time.
 * The table shows what an account adds: creates per 10 s, the jobs that keeps running, and the makespan.
 */
const here = dirname(fileURLToPath(import.meta.url));
const readmePath = resolve(here, '../../../../README.md');
const SEED = 1;
const COUNTS = [1, 2, 4, 8];

const workload = multiUser(SEED, 'accounts', 200, 20, 'enterprise');
const rows: string[] = [];
let base: { creates: number; makespan: number } | null = null;
for (const accounts of COUNTS) {
  const strategy = clipfleetConfig();
  const config = parseFleetConfig({
    ...strategy,
    provider: { ...strategy.provider, maxRunning: 1_000, accounts: Array.from({ length: accounts }, (_, i) => ({ id: `kie-${i + 1}` })) },
  });
  const { metrics, perf } = await runSimulation({ seed: SEED, config, ...workload, latency: 'seed' });
  if (metrics.makespanS === null) throw new Error(`${accounts} accounts: the run did not finish`);
  const creates = metrics.tasks * metrics.createCallsPerTask;
  const perWindow = (creates / metrics.makespanS) * 10;
  const first = (base ??= { creates: perWindow, makespan: metrics.makespanS });
  rows.push(
    `| ${accounts} | ${round(perWindow, 1)} | ${round(perWindow / first.creates, 2)}x | ${metrics.peakRunning} | ${metrics.makespanS} | ${round(first.makespan / metrics.makespanS, 2)}x | ${Math.round(creates)} | ${round(perf.wallMs / 1000, 1)} |`,
  );
  process.stderr.write(`${accounts} accounts: ${round(perWindow, 1)} creates per 10 s, makespan ${metrics.makespanS} s\n`);
}

const commit = (() => {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
})();
const table = [
  `Written by \`npm run bench:accounts -- --update-readme\` (seed ${SEED}, commit ${commit}): 4,000 tasks, 200 enterprise users x 20 mixed clips, global cap 1,000, virtual time.`,
  '',
  '| accounts | creates per 10 s (mean over the run) | vs 1 | peak running | makespan (s) | speed-up | createTask calls | wall (s) |',
  '|---|---|---|---|---|---|---|---|',
  ...rows,
].join('\n');
process.stdout.write(`${table}\n`);

if (process.argv.includes('--update-readme')) {
  const start = '<!-- bench:accounts:start -->';
  const end = '<!-- bench:accounts:end -->';
  const readme = await readFile(readmePath, 'utf8');
  const from = readme.indexOf(start);
  const to = readme.indexOf(end);
  if (from < 0 || to < from) throw new Error(`README.md has no ${start} ... ${end} block`);
  await writeFile(readmePath, `${readme.slice(0, from + start.length)}\n${table}\n${readme.slice(to)}`);
  process.stderr.write(`README.md updated (${join('README.md')})\n`);
}
