import { useQuery } from '@tanstack/react-query';
import { useTRPC } from '../../utils/trpc.ts';
import { Empty, ErrorState, Loading } from '../ui/States.tsx';

/** Failures grouped by cause, with counts and example messages. */
export function FailureAnalysis({ batchId }: { batchId: string }) {
  const trpc = useTRPC();
  const failures = useQuery(trpc.batch.failures.queryOptions({ batchId }));
  return (
    <section className="card" aria-label="Failure analysis">
      <div className="card-head">
        <h2>Failure analysis</h2>
      </div>
      {failures.isPending ? (
        <Loading />
      ) : failures.error ? (
        <div className="card-body">
          <ErrorState error={failures.error} title="Could not load failures" />
        </div>
      ) : failures.data.groups.length === 0 ? (
        <Empty title="No failures">Every attempt so far went through.</Empty>
      ) : (
        <ul className="stack card-body" style={{ listStyle: 'none', margin: 0 }}>
          {failures.data.groups.map((g) => (
            <li key={`${g.code}-${g.cause}`} className="stack" style={{ gap: 2 }}>
              <div className="row" style={{ gap: 8 }}>
                <span className="badge bad">{g.code ?? '—'}</span>
                <strong>{g.cause}</strong>
                <span className="spacer" />
                <span className="mono">{g.count}</span>
              </div>
              {g.examples.slice(0, 2).map((ex) => (
                <div key={ex.taskId} className="muted small truncate" title={ex.message ?? undefined}>
                  {ex.message ?? 'no message'}
                </div>
              ))}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
