import { useMutation, useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { EChart } from '../components/sim/EChart.tsx';
import { SeedComparison } from '../components/sim/SeedComparison.tsx';
import { SimForm, type SimChoices, type SimSettings } from '../components/sim/SimForm.tsx';
import { Empty, ErrorState, Loading } from '../components/ui/States.tsx';
import { formatDuration } from '../lib/format.ts';
import { completionsOption, runningOption, statusCallsOption } from '../lib/simCharts.ts';
import { toRuns } from '../lib/simResult.ts';
import { useTRPC } from '../utils/trpc.ts';

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
  const run = useMutation(trpc.sim.run.mutationOptions());
  const choices: SimChoices = useMemo(
    () => ({
      plans: plans.data?.map((p) => ({ id: p.id, label: p.label })) ?? [{ id: settings.plan, label: settings.plan }],
      latencies: ['seed', 'fast', 'slow', 'heavyTail'],
      faults: ['none', 'flaky', 'throttled', 'outage'],
      strategies: ['naive', 'seed', 'clipfleet'],
    }),
    [plans.data, settings.plan],
  );
  const result = run.data;
  const runs = useMemo(() => (result ? toRuns(result) : []), [result]);
  const ran = run.variables;

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
          {run.error ? <ErrorState error={run.error} title="The simulation failed" /> : null}
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
                    <EChart option={runningOption(runs)} label="Running tasks over time" testId="chart-running" />
                  </div>
                </section>
                <section className="card">
                  <div className="card-body">
                    <EChart option={completionsOption(runs)} label="Completions over time" testId="chart-completions" />
                  </div>
                </section>
                <section className="card">
                  <div className="card-body">
                    <EChart option={statusCallsOption(runs)} label="Status calls per task" testId="chart-calls" />
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
