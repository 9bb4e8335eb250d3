import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { ChartCard } from '../components/sim/EChart.tsx';
import { SeedComparison } from '../components/sim/SeedComparison.tsx';
import { SimForm, type SimChoices, type SimSettings } from '../components/sim/SimForm.tsx';
import { Empty, ErrorState, Loading } from '../components/ui/States.tsx';
import { useSimRun } from '../hooks/useSimRun.ts';
import { formatDuration } from '../lib/format.ts';
import { completionsOption, runningOption, statusCallsOption } from '../lib/simCharts.ts';
import { useTRPC } from '../utils/trpc.ts';

const INITIAL: SimSettings = {
  scenario: 'table',
  plan: 'pro',
  mix: '720p',
  users: 1,
  tasksPerUser: 100,
  latency: 'seed',
  faults: 'none',
  strategies: ['naive', 'seed', 'clipfleet'],
  seed: 1,
};

/** The simulator's vocabulary (packages/sim: FAULT_NAMES with optional percentages; the benchmark's strategies). */
const FAULTS = ['none', 'flaky', 'flaky:10', 'policy', 'policy:5', 'overload', 'outage', 'lost-callbacks', 'auth'] as const;
const STRATEGIES = ['naive', 'seed', 'clipfleet', 'clipfleet+callbacks'] as const;

/** Benchmark scenarios in virtual time: hours of generation simulated in a second or two. */
export function SimulatorPage() {
  const trpc = useTRPC();
  const plans = useQuery(trpc.plans.list.queryOptions());
  const [settings, setSettings] = useState<SimSettings>(INITIAL);
  const run = useSimRun();
  const choices: SimChoices = useMemo(
    () => ({
      plans: plans.data?.map((p) => ({ id: p.id, label: p.label })) ?? [
        { id: 'pro', label: 'Pro' },
        { id: 'pro_plus', label: 'Pro+' },
      ],
      faults: FAULTS,
      strategies: STRATEGIES,
    }),
    [plans.data],
  );
  const result = run.data;
  const runs = useMemo(() => result?.runs ?? [], [result]);
  const options = useMemo(
    () => ({ running: runningOption(runs), completions: completionsOption(runs), calls: statusCallsOption(runs) }),
    [runs],
  );
  const ran = result?.settings;

  return (
    <div className="stack">
      <div className="page-head">
        <div>
          <h1>Simulator</h1>
          <p>Run a scenario against the simulated KIE in virtual time and compare scheduling strategies.</p>
        </div>
      </div>
      <div className="grid-sidebar">
        <section className="card" aria-label="Scenario">
          <div className="card-body">
            <SimForm value={settings} choices={choices} onChange={setSettings} running={run.isPending} onRun={() => run.mutate(settings)} />
          </div>
        </section>
        <div className="stack">
          {run.isPending ? <Loading label={`Simulating ${settings.strategies.length} strategies in virtual time…`} /> : null}
          {run.error ? <ErrorState error={run.error} title="The simulation failed" /> : null}
          {!result && !run.isPending && !run.error ? (
            <section className="card">
              <Empty title="No simulation yet">Pick a scenario and run it; results appear here with the seed's table beside them.</Empty>
            </section>
          ) : null}
          {result && ran ? (
            <>
              <p className="muted" style={{ margin: 0 }} data-testid="sim-summary">
                {runs[0]?.title}: {runs.map((r) => `${r.strategy} ${r.makespanMs === null ? '—' : formatDuration(r.makespanMs)}`).join(' · ')}
              </p>
              <div className="charts">
                <ChartCard option={options.running} label="Running tasks over time" testId="chart-running" />
                <ChartCard option={options.completions} label="Completions over time" testId="chart-completions">
                  <p className="muted small" style={{ margin: 0 }}>
                    Through the milestones the simulator reports: first result, half of them, all of them.
                  </p>
                </ChartCard>
                <ChartCard option={options.calls} label="Status calls per task" testId="chart-calls" />
              </div>
              <SeedComparison plan={ran.plan} mix={ran.scenario === 'table' ? ran.mix : null} measured={runs} />
            </>
          ) : null}
        </div>
      </div>
    </div>
  );
}
