import { useInfiniteQuery } from '@tanstack/react-query';
import { ProgressBar } from '../components/ui/ProgressBar.tsx';
import { StateBadge } from '../components/ui/StateBadge.tsx';
import { Empty, ErrorState, Loading } from '../components/ui/States.tsx';
import { formatAgo, formatCredits, formatDateTime, shortId } from '../lib/format.ts';
import { progressCounts } from '../lib/progress.ts';
import { href, navigate } from '../utils/router.ts';
import { useTRPC } from '../utils/trpc.ts';

export function BatchesPage() {
  const trpc = useTRPC();
  const list = useInfiniteQuery({
    ...trpc.batch.list.infiniteQueryOptions({ limit: 25 }, { getNextPageParam: (page) => page.nextCursor ?? undefined }),
    refetchInterval: 3_000,
  });
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <div className="stack">
      <div className="page-head">
        <div>
          <h1>Batches</h1>
          <p>Every batch you submitted, newest first.</p>
        </div>
        <a className="btn btn-primary" href={href({ name: 'new' })}>
          New batch
        </a>
      </div>
      <section className="card">
        {list.isPending ? (
          <Loading label="Loading batches…" />
        ) : list.error ? (
          <div className="card-body">
            <ErrorState error={list.error} title="Could not load batches" onRetry={() => void list.refetch()} />
          </div>
        ) : items.length === 0 ? (
          <Empty title="No batches yet">
            <a href={href({ name: 'new' })}>Submit your first batch</a>
          </Empty>
        ) : (
          <div className="table-wrap">
            <table className="table" aria-label="Batches">
              <thead>
                <tr>
                  <th>Batch</th>
                  <th>Status</th>
                  <th style={{ minWidth: 180 }}>Progress</th>
                  <th className="num">Videos</th>
                  <th className="num">Cost</th>
                  <th>Created</th>
                </tr>
              </thead>
              <tbody>
                {items.map((b) => {
                  const counts = progressCounts(b.taskCount, b.counts);
                  const done = counts.succeeded + counts.failed + counts.cancelled;
                  return (
                    <tr
                      key={b.id}
                      className="clickable"
                      onClick={() => navigate({ name: 'batch', batchId: b.id })}
                    >
                      <td>
                        <a href={href({ name: 'batch', batchId: b.id })} onClick={(e) => e.stopPropagation()}>
                          {b.name || `Batch ${shortId(b.id)}`}
                        </a>
                        <div className="muted small mono">{shortId(b.id)}</div>
                      </td>
                      <td>
                        <StateBadge state={b.state} />
                      </td>
                      <td>
                        <ProgressBar counts={counts} thin label={`Progress of ${b.name || b.id}`} />
                        <div className="muted small">
                          {done} / {counts.total} finished
                        </div>
                      </td>
                      <td className="num">{b.taskCount}</td>
                      <td className="num">{formatCredits(b.creditsReserved)}</td>
                      <td title={formatDateTime(b.createdAt)}>{formatAgo(b.createdAt)}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
        {list.hasNextPage ? (
          <div className="card-body">
            <button type="button" className="btn" onClick={() => void list.fetchNextPage()} disabled={list.isFetchingNextPage}>
              {list.isFetchingNextPage ? 'Loading…' : 'Load more'}
            </button>
          </div>
        ) : null}
      </section>
    </div>
  );
}
