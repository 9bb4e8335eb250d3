import { stateLabel } from '../../lib/format.ts';

const TONE: Record<string, string> = {
  succeeded: 'ok',
  completed: 'ok',
  finished: 'ok',
  failed: 'bad',
  timedOut: 'bad',
  cancelled: 'idle',
  canceled: 'idle',
  paused: 'warn',
  retrying: 'warn',
  degraded: 'warn',
  queued: 'idle',
  submitting: 'info',
  polling: 'info',
  running: 'info',
};

const LIVE = new Set(['submitting', 'polling', 'running', 'retrying']);

export function StateBadge({ state }: { state: string }) {
  const tone = TONE[state] ?? 'idle';
  return <span className={`badge ${tone}${LIVE.has(state) ? ' live' : ''}`}>{stateLabel(state)}</span>;
}
