import type { Check, SeedCell } from './claims.ts';
import type { RunRecord } from './matrix.ts';

const fmt = (x: number | null | undefined, digits = 1) => (x === null || x === undefined ? '—' : Number.isInteger(x) ? String(x) : x.toFixed(digits));
const pct = (x: number | null | undefined) => (x === null || x === undefined ? '—' : `${(x * 100).toFixed(1)}%`);

/** The per-run metrics table (markdown). */
export function runsTable(runs: RunRecord[]): string {
  const head = [
    'scenario', 'strategy', 'makespan s', 'makespan/bound', 'first s', 'half s', 'all s', 'status/task', 'create/task',
    'detect mean s', 'detect p95 s', 'success', 'retry success (tasks)', 'retry success (attempts)', 'wasted cr', 'peak/limit', 'wall ms', 'CPU ms', 'events/s', 'RSS MB',
  ];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const r of runs) {
    const m = r.metrics;
    lines.push(
      `| ${[
        r.scenario, r.strategy, fmt(m.makespanS), fmt(m.makespanOverLowerBound, 3), fmt(m.firstResultS), fmt(m.halfResultsS), fmt(m.allResultsS),
        fmt(m.statusCallsPerTask, 2), fmt(m.createCallsPerTask, 2), fmt(m.detectionDelayMeanS), fmt(m.detectionDelayP95S), pct(m.successRate),
        pct(m.retrySuccessRate), pct(m.retryAttemptSuccessRate), fmt(m.creditsWasted, 0), `${m.peakRunning}/${m.runningLimit}`, fmt(r.perf.wallMs, 0), fmt(r.perf.cpuMs, 0),
        fmt(r.perf.eventsPerSecond, 0), r.perf.peakRssMB === undefined ? '(shared)' : fmt(r.perf.peakRssMB, 0),
      ].join(' | ')} |`,
    );
  }
  return lines.join('\n');
}

export function seedTableMarkdown(cells: SeedCell[]): string {
  const lines = ['| plan | column | seed (min) | measured (min) | ratio | within ±10% |', '|---|---|---|---|---|---|'];
  for (const c of cells) lines.push(`| ${c.plan} | ${c.column} | ${fmt(c.seedMin)} | ${fmt(c.measuredMin)} | ${fmt(c.ratio, 3)} | ${c.within10 ? 'yes' : 'NO'} |`);
  return lines.join('\n');
}

export function checksMarkdown(checks: Check[]): string {
  const lines = ['| check | statement | measured | holds |', '|---|---|---|---|'];
  for (const c of checks) lines.push(`| ${c.id} | ${c.statement} | ${c.measured.replaceAll('|', '/')} | ${c.holds ? 'yes' : '**NO**'} |`);
  return lines.join('\n');
}

/** A compact headline: one row per scenario, ClipFleet against seed and naive. */
export function headlineTable(runs: RunRecord[]): string {
  const scenarios = [...new Set(runs.map((r) => r.scenario))];
  const head = ['scenario', 'makespan s (naive / seed / clipfleet / +callbacks)', 'status calls per task (same order)', 'success (same order)', 'detect mean s (same order)'];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  const order = ['naive', 'seed', 'clipfleet', 'clipfleet+callbacks'] as const;
  for (const s of scenarios) {
    const get = (id: string) => runs.find((r) => r.scenario === s && r.strategy === id);
    const col = (f: (r: RunRecord) => string) => order.map((id) => { const r = get(id); return r ? f(r) : '—'; }).join(' / ');
    lines.push(
      `| ${s} | ${col((r) => fmt(r.metrics.makespanS, 0))} | ${col((r) => fmt(r.metrics.statusCallsPerTask, 2))} | ${col((r) => pct(r.metrics.successRate))} | ${col((r) => fmt(r.metrics.detectionDelayMeanS))} |`,
    );
  }
  return lines.join('\n');
}
