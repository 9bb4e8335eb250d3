import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { formatDuration, formatPercent } from '../../lib/format.ts';
import { STATE_ORDER } from '../../lib/progress.ts';
import { isTerminal, type TaskState } from '@clipfleet/engine';
import { href } from '../../utils/router.ts';
import { errorMessage, useTRPC } from '../../utils/trpc.ts';
import { StateBadge } from '../ui/StateBadge.tsx';
import { Empty, ErrorState, Loading } from '../ui/States.tsx';
import { TaskResult } from './TaskResult.tsx';

/** Ticks once a second so elapsed times of running tasks move. */
function useNow(active: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [active]);
  return now;
}

export function TasksTable({ batchId, live }: { batchId: string; live: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [state, setState] = useState<TaskState | ''>('');
  const tasks = useInfiniteQuery(
    trpc.batch.tasks.infiniteQueryOptions(
      { batchId, limit: 100, ...(state ? { state } : {}) },
      { getNextPageParam: (page) => page.nextCursor ?? undefined, placeholderData: (prev) => prev },
    ),
  );
  const cancelTask = useMutation(
    trpc.task.cancel.mutationOptions({
      onSettled: () => void queryClient.invalidateQueries({ queryKey: trpc.batch.tasks.pathKey() }),
    }),
  );
  const items = tasks.data?.pages.flatMap((p) => p.items) ?? [];
  const now = useNow(live);

  return (
    <section className="card" aria-label="Tasks">
      <div className="card-head">
        <h2>Tasks</h2>
        <label className="row small" style={{ gap: 6 }}>
          <span className="muted">State</span>
          <select value={state} onChange={(e) => setState(STATE_ORDER.find((s) => s === e.target.value) ?? '')} aria-label="Filter tasks by state">
            <option value="">All</option>
            {STATE_ORDER.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
      </div>
      {cancelTask.error ? (
        <div className="error-box" role="alert" style={{ margin: 12 }}>
          {errorMessage(cancelTask.error)}
        </div>
      ) : null}
      {tasks.isPending ? (
        <Loading label="Loading tasks…" />
      ) : tasks.error ? (
        <div className="card-body">
          <ErrorState error={tasks.error} title="Could not load tasks" onRetry={() => void tasks.refetch()} />
        </div>
      ) : items.length === 0 ? (
        <Empty title={state ? `No ${state} tasks` : 'No tasks'} />
      ) : (
        <div className="table-wrap" style={{ maxHeight: 560 }}>
          <table className="table" aria-label="Tasks of this batch">
            <thead>
              <tr>
                <th className="num">#</th>
                <th>Prompt</th>
                <th>State</th>
                <th className="num">Attempts</th>
                <th className="num">Progress</th>
                <th className="num">Elapsed</th>
                <th>Result</th>
                <th>
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((t) => {
                const ended = isTerminal(t.state);
                // Wall time since the batch accepted the task, until it ended (queued tasks have not started).
                const elapsed = t.state === 'queued' && t.attempts === 0 ? null : (t.finishedAt ?? (ended ? t.updatedAt : now)) - t.createdAt;
                return (
                  <tr key={t.id} data-testid="task-row" data-state={t.state}>
                    <td className="num muted">{t.rowIndex + 1}</td>
                    <td>
                      <div className="truncate" title={t.prompt}>
                        {t.prompt}
                      </div>
                      <div className="muted small">
                        {t.model} · {t.resolution} · {t.durationSec} s
                      </div>
                      {t.failMessage ? <div className="issue">{t.failCode ? `${t.failCode}: ` : ''}{t.failMessage}</div> : null}
                    </td>
                    <td>
                      <StateBadge state={t.state} />
                    </td>
                    <td className="num">{t.attempts}</td>
                    <td className="num">{t.progress !== null ? formatPercent(t.progress / 100) : '—'}</td>
                    <td className="num">{elapsed !== null ? formatDuration(elapsed) : '—'}</td>
                    <td>
                      <TaskResult urls={t.resultUrls ?? []} />
                    </td>
                    <td>
                      <div className="row" style={{ gap: 4, flexWrap: 'nowrap' }}>
                        <a className="btn btn-sm btn-ghost" href={href({ name: 'inspector', batchId, taskId: t.id })}>
                          Inspect
                        </a>
                        {!ended ? (
                          <button
                            type="button"
                            className="btn btn-sm btn-ghost btn-danger"
                            disabled={cancelTask.isPending}
                            onClick={() => cancelTask.mutate({ taskId: t.id })}
                          >
                            Cancel
                          </button>
                        ) : null}
                      </div>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {tasks.hasNextPage ? (
        <div className="card-body">
          <button type="button" className="btn" onClick={() => void tasks.fetchNextPage()} disabled={tasks.isFetchingNextPage}>
            {tasks.isFetchingNextPage ? 'Loading…' : 'Load more'}
          </button>
        </div>
      ) : null}
    </section>
  );
}
