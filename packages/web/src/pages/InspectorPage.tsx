import { useQuery } from '@tanstack/react-query';
import { useEffect, useMemo } from 'react';
import { EventLog } from '../components/inspector/EventLog.tsx';
import { StatechartView } from '../components/inspector/StatechartView.tsx';
import { TaskPicker } from '../components/inspector/TaskPicker.tsx';
import { useInspectorFeed } from '../hooks/useInspectorFeed.ts';
import { Empty, ErrorState, Loading } from '../components/ui/States.tsx';
import { StateBadge } from '../components/ui/StateBadge.tsx';
import { shortId } from '../lib/format.ts';
import { isTerminal } from '@clipfleet/engine';
import { activeStateIds, definitionToGraph } from '../lib/statechart.ts';
import { href, navigate } from '../utils/router.ts';
import { useTRPC } from '../utils/trpc.ts';

/** The task machine and the supervisor as statecharts; the picked task's active state lights up live. */
export function InspectorPage({ batchId, taskId }: { batchId: string | null; taskId: string | null }) {
  const trpc = useTRPC();
  const machines = useQuery({ ...trpc.inspector.machines.queryOptions(), staleTime: Infinity });
  const batches = useQuery(trpc.batch.list.queryOptions({ limit: 50 }));

  // Without a batch in the URL, follow the newest one.
  const newest = batches.data?.items[0]?.id;
  useEffect(() => {
    if (!batchId && newest) navigate({ name: 'inspector', batchId: newest, taskId: null }, { replace: true });
  }, [batchId, newest]);

  const feed = useInspectorFeed(batchId, taskId);
  // Before the feeds have said anything about the picked task (e.g. it is still waiting in the database), its
  // stored state and, when an actor runs it, the engine's live view.
  const picked = useQuery({
    ...trpc.task.get.queryOptions({ taskId: taskId ?? '' }),
    enabled: Boolean(taskId),
    refetchInterval: (q) => (q.state.data && isTerminal(q.state.data.state) ? false : 1_000),
  });
  // An end the database already knows wins over a feed that has not caught up yet (ends are final).
  const storedEnd = picked.data && isTerminal(picked.data.state) ? picked.data.state : null;
  const taskValue = storedEnd ?? feed.taskValue ?? picked.data?.live?.machineState ?? picked.data?.state ?? null;
  const taskState = storedEnd ?? feed.taskState ?? picked.data?.state ?? null;
  const taskGraph = useMemo(() => (machines.data ? definitionToGraph(machines.data.task) : null), [machines.data]);
  const supervisorGraph = useMemo(
    () => (machines.data ? definitionToGraph(machines.data.supervisor) : null),
    [machines.data],
  );
  const taskActive = useMemo(
    () => new Set(taskGraph && taskValue !== null ? activeStateIds(taskGraph.rootId, taskValue) : []),
    [taskGraph, taskValue],
  );
  const supervisorActive = useMemo(
    () => new Set(supervisorGraph && feed.supervisorValue !== null ? activeStateIds(supervisorGraph.rootId, feed.supervisorValue) : []),
    [supervisorGraph, feed.supervisorValue],
  );

  return (
    <div className="stack">
      <div className="page-head">
        <div>
          <h1>Inspector</h1>
          <p>Live statecharts of the engine: pick a task to follow its machine as it moves.</p>
        </div>
        <label className="field" style={{ minWidth: 260 }}>
          Batch
          <select
            value={batchId ?? ''}
            onChange={(e) => navigate({ name: 'inspector', batchId: e.target.value || null, taskId: null })}
            aria-label="Batch to inspect"
          >
            {!batchId ? <option value="">—</option> : null}
            {batches.data?.items.map((b) => (
              <option key={b.id} value={b.id}>
                {b.name || `Batch ${shortId(b.id)}`} · {b.state}
              </option>
            ))}
          </select>
        </label>
      </div>
      {machines.error ? <ErrorState error={machines.error} title="Could not load the machine definitions" /> : null}
      {batches.data && batches.data.items.length === 0 ? (
        <Empty title="No batches to inspect">
          <a href={href({ name: 'new' })}>Submit a batch</a> and come back to watch its tasks move.
        </Empty>
      ) : null}
      <div className="grid-sidebar">
        <section className="card" aria-label="Tasks">
          <div className="card-head">
            <h2>Tasks</h2>
            {batchId ? <a className="small" href={href({ name: 'batch', batchId })}>Batch page</a> : null}
          </div>
          {batchId ? <TaskPicker batchId={batchId} taskId={taskId} states={feed.taskStates} /> : <Loading />}
        </section>
        <div className="stack">
          <section className="card" aria-label="Task machine">
            <div className="card-head">
              <h2>Task machine</h2>
              <p className="row" style={{ gap: 6 }}>
                {taskId ? (
                  <>
                    <span className="mono" title={taskId}>
                      {picked.data ? `#${picked.data.rowIndex + 1}` : shortId(taskId)}
                    </span>
                    {taskState ? <StateBadge state={taskState} /> : null}
                    {feed.live ? <span className="badge info live">live</span> : null}
                  </>
                ) : (
                  'Pick a task on the left'
                )}
              </p>
            </div>
            <div className="card-body">
              {taskGraph ? <StatechartView graph={taskGraph} activeIds={taskActive} label="Task statechart" height={720} /> : <Loading />}
            </div>
          </section>
          <div className="grid-2">
            <section className="card" aria-label="Event log">
              <div className="card-head">
                <h2>Event log</h2>
                <p>{feed.log.length} events</p>
              </div>
              <EventLog entries={feed.log} />
            </section>
            <section className="card" aria-label="Supervisor">
              <div className="card-head">
                <h2>Supervisor</h2>
                {feed.supervisorValue ? <StateBadge state={String(feed.supervisorValue)} /> : null}
              </div>
              <div className="card-body">
                {supervisorGraph ? (
                  <StatechartView graph={supervisorGraph} activeIds={supervisorActive} label="Supervisor statechart" height={420} />
                ) : (
                  <Loading />
                )}
              </div>
            </section>
          </div>
        </div>
      </div>
    </div>
  );
}
