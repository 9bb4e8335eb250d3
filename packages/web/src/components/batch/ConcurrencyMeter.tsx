import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { formatTime } from '../../lib/format.ts';
import { recordLevel, type LevelChange } from '../../lib/levelHistory.ts';
import { useTRPC } from '../../utils/trpc.ts';

/**
 * The account's concurrency level in force against the plan's: degradation shows as a drop, recovery as the
 * climb back. Polled while the batch runs (the level is per user, shared by their batches).
 */
export function ConcurrencyMeter({ active }: { active: boolean }) {
  const trpc = useTRPC();
  const me = useQuery({ ...trpc.me.get.queryOptions(), refetchInterval: active ? 1_500 : false });
  const limits = me.data?.limits;
  const degraded = limits ? limits.effectiveConcurrency < limits.concurrency : false;
  // Changes seen while this page is open: degradation and recovery as they happen.
  const [history, setHistory] = useState<LevelChange[]>([]);
  const last = useRef<number | null>(null);
  const level = limits?.effectiveConcurrency;
  useEffect(() => {
    if (level === undefined) return;
    setHistory((h) => recordLevel(h, last.current, level, Date.now()));
    last.current = level;
  }, [level]);
  return (
    <section className="card" aria-label="Concurrency">
      <div className="card-body stack">
        <h2>Effective concurrency</h2>
        <div className="stat" data-testid="concurrency">
          <div className="value">
            {limits ? limits.effectiveConcurrency : '—'} <span className="muted small">/ {limits ? limits.concurrency : '—'} on {me.data?.plan.label ?? '…'}</span>
          </div>
          <div className="small row" style={{ gap: 6 }}>
            {limits ? degraded ? <span className="badge warn">degraded</span> : <span className="badge ok">full speed</span> : null}
            <span className="muted">
              {me.data?.running ?? 0} running · {me.data?.queued ?? 0} queued (all your batches)
            </span>
          </div>
        </div>
        {history.length ? (
          <ol className="small" style={{ margin: 0, paddingLeft: 18 }} aria-label="Concurrency changes">
            {history.map((c) => (
              <li key={c.at}>
                {formatTime(c.at)} {c.from} → {c.to}{' '}
                <span className={`badge ${c.to < c.from ? 'warn' : 'ok'}`}>{c.to < c.from ? 'degraded' : 'recovered'}</span>
              </li>
            ))}
          </ol>
        ) : null}
        <p className="muted small" style={{ margin: 0 }}>
          When failures pile up the engine lowers concurrency and raises it back as tasks succeed again.
        </p>
      </div>
    </section>
  );
}
