import { STATE_ORDER } from '../../lib/progress.ts';
import { StateBadge } from '../ui/StateBadge.tsx';

/** One chip per task state with its count (zero states are dimmed). */
export function StateCounts({ byState }: { byState: Partial<Record<string, number>> }) {
  return (
    <ul className="row" style={{ listStyle: 'none', margin: 0, padding: 0 }} aria-label="Tasks by state">
      {STATE_ORDER.map((s) => {
        const n = byState[s] ?? 0;
        return (
          <li key={s} style={{ opacity: n ? 1 : 0.45 }} data-testid={`count-${s}`} data-count={n}>
            <StateBadge state={s} /> <strong className="mono">{n}</strong>
          </li>
        );
      })}
    </ul>
  );
}
