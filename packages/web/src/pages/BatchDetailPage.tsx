import { useQuery } from '@tanstack/react-query';
import { BatchControls } from '../components/batch/BatchControls.tsx';
import { ConcurrencyMeter } from '../components/batch/ConcurrencyMeter.tsx';
import { FailureAnalysis } from '../components/batch/FailureAnalysis.tsx';
import { StateCounts } from '../components/batch/StateCounts.tsx';
import { TasksTable } from '../components/batch/TasksTable.tsx';
import { ProgressBar } from '../components/ui/ProgressBar.tsx';
import { StateBadge } from '../components/ui/StateBadge.tsx';
import { Empty, ErrorState, Loading } from '../components/ui/States.tsx';
import { useBatchLive } from '../hooks/useBatchLive.ts';
import { formatCredits, formatDateTime, formatPercent, shortId } from '../lib/format.ts';
import { progressCounts } from '../lib/progress.ts';
import { href } from '../utils/router.ts';
import { isNotFound, useTRPC } from '../utils/trpc.ts';

export function BatchDetailPage({ batchId }: { batchId: string }) {
  const trpc = useTRPC();
  const batch = useQuery(trpc.batch.get.queryOptions({ batchId }));
  const finished = batch.data ? batch.data.state === 'finished' || batch.data.state === 'cancelled' : false;
  const live = useBatchLive(batchId, Boolean(batch.data) && !finished);

  if (batch.isPending) return <Loading label="Loading batch…" />;
  if (batch.error) {
    if (isNotFound(batch.error))
      return (
        <Empty title="Batch not found">
          <a href={href({ name: 'batches' })}>Back to batches</a>
        </Empty>
      );
    return <ErrorState error={batch.error} title="Could not load the batch" onRetry={() => void batch.refetch()} />;
  }
  const b = batch.data;
  const counts = progressCounts(b.taskCount, b.counts);
  const done = counts.succeeded + counts.failed + counts.cancelled;
  return (
    <div className="stack">
      <div className="page-head">
        <div>
          <div className="muted small">
            <a href={href({ name: 'batches' })}>Batches</a> / <span className="mono">{shortId(b.id)}</span>
          </div>
          <h1 className="row" style={{ gap: 10 }}>
            {b.name || `Batch ${shortId(b.id)}`} <StateBadge state={b.state} />
            {!finished ? (
              <span className={`badge ${live === 'error' ? 'bad' : 'info'}${live === 'live' ? ' live' : ''}`} title="Live updates over SSE">
                {live === 'error' ? 'offline' : live === 'connecting' ? 'connecting' : 'live'}
              </span>
            ) : null}
          </h1>
          <p data-testid="batch-credits">
            Created {formatDateTime(b.createdAt)} · {b.taskCount} videos · reserved {formatCredits(b.creditsReserved)}
            {b.credits ? ` · charged ${formatCredits(b.credits.charged)} · refunded ${formatCredits(b.credits.refunded)}` : ''}
          </p>
        </div>
        <BatchControls
          batchId={b.id}
          paused={b.state === 'paused'}
          finished={finished}
          failedCount={counts.failed}
          succeededCount={counts.succeeded}
        />
      </div>
      <div className="grid-2">
        <section className="card" aria-label="Progress">
          <div className="card-body stack">
            <div className="row">
              <h2>Progress</h2>
              <span className="spacer" />
              <strong data-testid="progress-text">
                {done} / {b.taskCount} finished · {formatPercent(b.taskCount ? done / b.taskCount : 0)}
              </strong>
            </div>
            <ProgressBar counts={counts} label="Batch progress" />
            <div className="legend">
              <span><i style={{ background: 'var(--ok)' }} />succeeded</span>
              <span><i style={{ background: 'var(--bad)' }} />failed</span>
              <span><i style={{ background: 'var(--idle)' }} />cancelled</span>
              <span><i style={{ background: 'var(--info)' }} />running</span>
            </div>
            <StateCounts byState={b.counts} />
          </div>
        </section>
        <ConcurrencyMeter active={!finished} />
      </div>
      <TasksTable batchId={b.id} live={!finished} />
      <FailureAnalysis batchId={b.id} />
    </div>
  );
}
