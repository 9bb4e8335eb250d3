import { createClipFleetClient } from '@clipfleet/api/client';
import { useQuery } from '@tanstack/react-query';
import { useMemo, useState, type FormEvent } from 'react';
import { ChartCard } from '../components/sim/EChart.tsx';
import { ErrorState, Loading } from '../components/ui/States.tsx';
import {
  concurrencyOption,
  creditsOption,
  failureRateOption,
  kieCallsOption,
  monitorSeries,
  processingOption,
  type MonitorView,
} from '../lib/monitorCharts.ts';
import { isAuthError } from '../utils/trpc.ts';

/** The admin key is kept for this tab only (sessionStorage): it is an operator's key, not the user's. */
const ADMIN_KEY = 'clipfleet.adminKey';

function storedAdminKey(): string {
  try {
    return sessionStorage.getItem(ADMIN_KEY) ?? '';
  } catch {
    return '';
  }
}

/** Operators' view of the fleet: the seed's four figures over time and the degradation state in force. */
export function MonitorPage() {
  const [adminKey, setAdminKey] = useState(storedAdminKey);
  if (!adminKey) return <AdminKeyForm onKey={setAdminKey} />;
  return (
    <Monitor
      key={adminKey}
      adminKey={adminKey}
      onRefused={() => {
        sessionStorage.removeItem(ADMIN_KEY);
        setAdminKey('');
      }}
    />
  );
}

function AdminKeyForm({ onKey }: { onKey: (key: string) => void }) {
  const [key, setKey] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!key.trim()) return;
    sessionStorage.setItem(ADMIN_KEY, key.trim());
    onKey(key.trim());
  };
  return (
    <div className="stack">
      <div className="page-head">
        <div>
          <h1>Monitoring</h1>
          <p>For operators: the figures the seed asks to watch, and who is degraded now. It needs the admin key (ADMIN_KEY).</p>
        </div>
      </div>
      <form className="card" onSubmit={submit} style={{ maxWidth: 480 }}>
        <div className="card-body stack">
          <label className="field">
            Admin key
            <input type="password" name="adminKey" autoComplete="off" value={key} onChange={(e) => setKey(e.target.value)} />
          </label>
          <button type="submit" className="btn btn-primary">
            Show monitoring
          </button>
        </div>
      </form>
    </div>
  );
}

function Monitor({ adminKey, onRefused }: { adminKey: string; onRefused: () => void }) {
  const [client] = useState(() => createClipFleetClient('', adminKey));
  const q = useQuery({
    queryKey: ['admin.monitor', adminKey],
    // A refused admin key is an answer, not an error: the app's error handler would sign the user out.
    queryFn: async () => {
      try {
        return { view: await client.admin.monitor.query() };
      } catch (err) {
        if (isAuthError(err)) return { view: null };
        throw err;
      }
    },
    // The server samples on its own clock; asking at the same pace shows each new point.
    refetchInterval: (query) => query.state.data?.view?.intervalMs ?? 10_000,
  });
  if (q.data && !q.data.view) return <RefusedKey onRefused={onRefused} />;
  const view = q.data?.view;
  return (
    <div className="stack">
      <div className="page-head">
        <div>
          <h1>Monitoring</h1>
          <p>
            Failure rate (seed target: below {view ? Math.round(view.failureRateTarget * 100) : 10} %), mean processing time, KIE API calls and credit burn,
            sampled by the server{view ? ` every ${view.intervalMs < 1000 ? `${view.intervalMs} ms` : `${Math.round(view.intervalMs / 1000)} s`}` : ''}. Prometheus scrapes the same figures at <code>/metrics</code>.
          </p>
        </div>
      </div>
      {q.error ? <ErrorState error={q.error} title="Could not load the metrics" onRetry={() => void q.refetch()} /> : null}
      {q.isPending ? <Loading label="Loading metrics…" /> : null}
      {view ? <MonitorBody view={view} /> : null}
    </div>
  );
}

function RefusedKey({ onRefused }: { onRefused: () => void }) {
  return (
    <div className="error-box" role="alert">
      <div className="row">
        <span className="spacer">That admin key was not accepted.</span>
        <button type="button" className="btn btn-sm" onClick={onRefused}>
          Enter another
        </button>
      </div>
    </div>
  );
}

function MonitorBody({ view }: { view: MonitorView }) {
  const charts = useMemo(() => {
    const series = monitorSeries(view.samples);
    return [
      { testId: 'chart-failure-rate', label: "Failure rate over time, with the seed's 10 % target", option: failureRateOption(series, view.failureRateTarget) },
      { testId: 'chart-processing', label: 'Mean processing time over time', option: processingOption(series) },
      { testId: 'chart-kie-calls', label: 'KIE API calls per minute', option: kieCallsOption(series) },
      { testId: 'chart-credits', label: 'Credits charged and refunded per minute', option: creditsOption(series) },
      { testId: 'chart-concurrency', label: 'Tasks running at KIE and the provider limit', option: concurrencyOption(series) },
    ];
  }, [view]);
  return (
    <>
      <Degradation view={view} />
      <div className="charts" data-testid="monitor-charts">
        {charts.map((c) => (
          <ChartCard key={c.testId} {...c} />
        ))}
      </div>
    </>
  );
}

function since(change: { reason: string; at: number } | null): string {
  if (!change) return '';
  return ` · ${change.reason} ${new Date(change.at).toLocaleTimeString()}`;
}

function Degradation({ view }: { view: MonitorView }) {
  const { provider, users } = view;
  const providerBadge = provider.state === 'healthy' && !provider.degraded ? 'ok' : provider.state === 'halted' ? 'bad' : 'warn';
  return (
    <section className="card" aria-label="Degradation state">
      <div className="card-head">
        <strong>Degradation now</strong>
        <span className={`badge ${providerBadge}`} data-testid="provider-state">
          KIE {provider.state}
          {provider.degraded ? ', degraded' : ''}
        </span>
      </div>
      <div className="card-body stack">
        <p className="muted" style={{ margin: 0 }}>
          Provider limit {provider.limit} of {provider.configLimit} · {provider.running} running · {provider.queued} waiting for a slot
          {since(provider.lastChange)}
        </p>
        {users.length === 0 ? (
          <p className="muted" style={{ margin: 0 }}>
            No user has tasks in the engine.
          </p>
        ) : (
          <div className="table-wrap">
            <table className="table" aria-label="Users' concurrency">
              <thead>
                <tr>
                  <th>User</th>
                  <th>Plan</th>
                  <th>Concurrency</th>
                  <th>State</th>
                  <th>Running</th>
                  <th>Queued</th>
                </tr>
              </thead>
              <tbody>
                {users.map((u) => (
                  <tr key={u.userId}>
                    <td>{u.name}</td>
                    <td>{u.plan}</td>
                    <td>
                      {u.level} of {u.planConcurrency}
                    </td>
                    <td>
                      <span className={`badge ${u.degraded ? 'warn' : 'ok'}`}>{u.degraded ? 'degraded' : 'normal'}</span>
                      <span className="muted small">{since(u.lastChange)}</span>
                    </td>
                    <td>{u.running}</td>
                    <td>{u.queued}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </div>
    </section>
  );
}
