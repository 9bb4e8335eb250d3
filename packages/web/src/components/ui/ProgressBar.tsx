import { formatPercent } from '../../lib/format.ts';
import type { ProgressCounts } from '../../lib/progress.ts';

/** Stacked bar: succeeded, failed (incl. timed out), cancelled, running; the rest is queued. */
export function ProgressBar({ counts, thin = false, label }: { counts: ProgressCounts; thin?: boolean; label: string }) {
  const { total } = counts;
  const pct = (n: number) => (total > 0 ? (n / total) * 100 : 0);
  const done = counts.succeeded + counts.failed + counts.cancelled;
  return (
    <div
      className={`progress${thin ? ' thin' : ''}`}
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={total}
      aria-valuenow={done}
      aria-valuetext={`${done} of ${total} finished (${formatPercent(total ? done / total : 0)})`}
    >
      <span className="seg-ok" style={{ width: `${pct(counts.succeeded)}%` }} />
      <span className="seg-bad" style={{ width: `${pct(counts.failed)}%` }} />
      <span className="seg-idle" style={{ width: `${pct(counts.cancelled)}%` }} />
      <span className="seg-info" style={{ width: `${pct(counts.running)}%` }} />
    </div>
  );
}
