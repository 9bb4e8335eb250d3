import type { RemoteStatus } from '../ports/gateway.ts';
import type { TaskEvent } from './taskMachine.ts';

/**
 * What a callback may do to its task. Anyone can POST a callback, and KIE's signature does not cover the
 * body, so a claimed end (success or failure) only makes the task ask KIE now; progress is shown only from
 * a verified callback; an unverified progress report is ignored (asking KIE for each would cost a query).
 */
export function taskEventForCallback(status: RemoteStatus, verified: boolean): TaskEvent | null {
  if (status.state === 'success' || status.state === 'fail') return { type: 'CALLBACK_CUE' };
  return verified ? { type: 'REMOTE_PROGRESS', status } : null;
}
