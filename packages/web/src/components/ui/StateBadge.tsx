import type { ProviderGate, TaskState } from '@clipfleet/engine';
import { stateLabel } from '../../lib/format.ts';
import type { RouterOutputs } from '../../utils/trpc.ts';

type Tone = 'ok' | 'bad' | 'warn' | 'info' | 'idle';
type BatchState = RouterOutputs['batch']['get']['state'];

/** Every state a badge shows has its tone: a new task or batch state fails the type check until it gets one. */
const TONE: Record<TaskState | BatchState | ProviderGate, Tone> = {
  queued: 'idle',
  submitting: 'info',
  polling: 'info',
  retrying: 'warn',
  paused: 'warn',
  succeeded: 'ok',
  failed: 'bad',
  timedOut: 'bad',
  cancelled: 'idle',
  active: 'info',
  finished: 'ok',
  healthy: 'ok',
  throttled: 'warn',
  halted: 'bad',
};

const LIVE = new Set<string>(['submitting', 'polling', 'retrying'] satisfies TaskState[]);

export function StateBadge({ state }: { state: string }) {
  const tone = (TONE as Record<string, Tone | undefined>)[state] ?? 'idle';
  return <span className={`badge ${tone}${LIVE.has(state) ? ' live' : ''}`}>{stateLabel(state)}</span>;
}
