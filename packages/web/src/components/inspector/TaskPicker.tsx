import { useQuery } from '@tanstack/react-query';
import { useEffect } from 'react';
import { isTerminal } from '@clipfleet/engine';
import { navigate } from '../../utils/router.ts';
import { useTRPC } from '../../utils/trpc.ts';
import { StateBadge } from '../ui/StateBadge.tsx';
import { Empty, ErrorState, Loading } from '../ui/States.tsx';

/** The batch's tasks; the picked one is followed in the statechart. Live states override the list's. */
export function TaskPicker({ batchId, taskId, states }: { batchId: string; taskId: string | null; states: ReadonlyMap<string, string> }) {
  const trpc = useTRPC();
  const tasks = useQuery({ ...trpc.batch.tasks.queryOptions({ batchId, limit: 200 }), refetchInterval: 5_000 });
  // Nothing picked yet: follow the first task still in flight (else the first one).
  const items = tasks.data?.items;
  useEffect(() => {
    if (taskId || !items?.length) return;
    const first = items.find((t) => !isTerminal(t.state)) ?? items[0]!;
    navigate({ name: 'inspector', batchId, taskId: first.id }, { replace: true });
  }, [taskId, items, batchId]);
  if (tasks.isPending) return <Loading />;
  if (tasks.error) return <div className="card-body"><ErrorState error={tasks.error} /></div>;
  if (tasks.data.items.length === 0) return <Empty title="No tasks" />;
  return (
    <div className="table-wrap" style={{ maxHeight: 720 }}>
      <table className="table" aria-label="Pick a task">
        <tbody>
          {tasks.data.items.map((t) => {
            const selected = t.id === taskId;
            return (
              <tr key={t.id} aria-selected={selected} className="clickable" data-testid="inspector-task">
                <td>
                  <button
                    type="button"
                    className="btn btn-sm btn-ghost"
                    style={{ width: '100%', justifyContent: 'space-between' }}
                    aria-pressed={selected}
                    onClick={() => navigate({ name: 'inspector', batchId, taskId: t.id })}
                  >
                    <span className="truncate" style={{ maxWidth: 150, textAlign: 'left' }} title={t.prompt}>
                      <span className="mono">#{t.rowIndex + 1}</span> <span className="muted">{t.prompt}</span>
                    </span>
                    <StateBadge state={states.get(t.id) ?? t.state} />
                  </button>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
