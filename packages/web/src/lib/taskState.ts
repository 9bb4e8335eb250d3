import { TERMINAL_STATES } from '@clipfleet/engine';

/** Whether a task state is final (from the engine's own list). */
export function isTerminal(state: string): boolean {
  return (TERMINAL_STATES as readonly string[]).includes(state);
}
