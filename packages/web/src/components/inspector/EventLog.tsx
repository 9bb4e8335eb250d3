import { formatDuration } from '../../lib/format.ts';

export interface LogEntry {
  key: string;
  at: number;
  text: string;
  detail?: string;
}

/** The picked actor's recent events, newest first. */
export function EventLog({ entries }: { entries: LogEntry[] }) {
  const origin = entries[0]?.at ?? 0;
  if (entries.length === 0) return <p className="muted" style={{ padding: 12 }}>No events yet for this task.</p>;
  return (
    <ol className="event-log" aria-label="Event log" data-testid="event-log">
      {entries
        .slice()
        .reverse()
        .map((e) => (
          <li key={e.key}>
            <span className="t" title="Engine time since the task's first event">
              +{formatDuration(e.at - origin)}
            </span>
            <span>
              {e.text}
              {e.detail ? <div className="muted">{e.detail}</div> : null}
            </span>
          </li>
        ))}
    </ol>
  );
}
