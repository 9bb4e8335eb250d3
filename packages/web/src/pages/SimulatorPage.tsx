import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { EChart } from '../components/sim/EChart.tsx';
import { SeedComparison } from '../components/sim/SeedComparison.tsx';
import { SimForm, type SimChoices, type SimSettings } from '../components/sim/SimForm.tsx';
import { Empty, ErrorState, Loading, NotAvailable } from '../components/ui/States.tsx';
import { useSimRun } from '../hooks/useSimRun.ts';
import { formatDuration } from '../lib/format.ts';
import { completionsOption, runningOption, statusCallsOption } from '../lib/simCharts.ts';
import { isNotFound, useTRPC } from '../utils/trpc.ts';

const INITIAL: SimSettings = {
  plan: 'pro',
  count: 100,
  share1080: 0,
  durationSec: 15,
  latency: 'seed',
  faults: 'none',
  strategies: ['naive', 'seed', 'clipfleet'],
};

/** Benchmark scenarios in virtual time: hours of generation simulated in a second or two. */
export function SimulatorPage() {
  const trpc = useTRPC();
  const plans = useQuery(trpc.plans.list.queryOptions());
  const [settings, setSettings] = useState<SimSettings>(INITIAL);
  const run = useSimRun();
  const choices: SimChoices = useMemo(
    () => ({
      plans: plans.data?.map((p) => ({ id: p.id, label: p.label })) ?? [{ id: settings.plan, label: settings.plan }],
      // The simulator's profile and strategy names (packages/sim: LATENCY_PROFILES, FAULT_NAMES, bench strategies).
      latencies: ['seed', 'field'],
      faults: ['none', 'flaky', 'policy', 'overload', 'outage', 'lost-callbacks', 'auth'],
      strategies: ['naive', 'seed', 'clipfleet', 'clipfleet+callbacks'],
    }),
    [plans.data, settings.plan],
  );
  const result = run.data;
  const runs = useMemo(() => result?.runs ?? [], [result]);
  const ran = result?.input;
  const notAvailable = run.error ? isNotFound(run.error) : false;
  const options = useMemo(
    () => ({ running: runningOption(runs), completions: completionsOption(runs), calls: statusCallsOption(runs) }),
    [runs],
  );
  const hasCompletions = runs.some((r) => r.hasCompletions);

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
            <SimForm
              value={settings}
              choices={choices}
              onChange={setSettings}
              running={run.isPending}
              onRun={() =>
                run.mutate({
                  plan: settings.plan,
                  count: settings.count,
                  share1080: settings.share1080,
                  durationSec: settings.durationSec,
                  latency: settings.latency,
                  faults: settings.faults,
                  strategies: settings.strategies,
                })
              }
            />
          </div>
        </section>
        <div className="stack">
          {run.isPending ? <Loading label="Simulating in virtual time…" /> : null}
          {notAvailable ? <NotAvailable what="The simulator (sim.run)" /> : null}
          {run.error && !notAvailable ? <ErrorState error={run.error} title="The simulation failed" /> : null}
          {!result && !run.isPending && !run.error ? (
            <section className="card">
              <Empty title="No simulation yet">Pick a scenario and run it; results appear here with the seed's table beside them.</Empty>
            </section>
          ) : null}
          {result && ran ? (
            <>
              <p className="muted" style={{ margin: 0 }} data-testid="sim-summary">
                {runs.map((r) => `${r.strategy}: ${formatDuration(r.makespanMs)}`).join(' · ')}
              </p>
              <div className="charts">
                <section className="card">
                  <div className="card-body">
                    <EChart option={options.running} label="Running tasks over time" testId="chart-running" />
                  </div>
                </section>
                <section className="card">
                  <div className="card-body">
                    {hasCompletions ? (
                      <EChart option={options.completions} label="Completions over time" testId="chart-completions" />
                    ) : (
                      <Empty title="Completions over time">This server's simulator did not report completion times.</Empty>
                    )}
                  </div>
                </section>
                <section className="card">
                  <div className="card-body">
                    <EChart option={options.calls} label="Status calls per task" testId="chart-calls" />
                  </div>
                </section>
              </div>
              <SeedComparison
                plan={ran.plan}
                count={ran.count}
                durationSec={ran.durationSec}
                share1080={ran.share1080}
                measured={runs}
              />
            </>
          ) : null}
        </div>
      </div>
    </div>
  );
}
