import { assign, setup } from 'xstate';
import type { ProviderError } from '../ports/gateway.ts';

/**
 * The supervisor's statechart: whether the provider account may receive createTask calls.
 * healthy -> throttled on 429/455 (for Retry-After or a doubling wait), -> halted on 401/402/433
 * until an operator resumes. Admission, queues and capacity are data beside it (see supervisor.ts):
 * they change on every event and would make a poor statechart.
 */
export interface GateContext {
  now: () => number;
  untilAt: number;
  haltedBy: ProviderError | null;
}

export type GateEvent =
  | { type: 'THROTTLE'; untilAt: number }
  | { type: 'HALT'; error: ProviderError }
  | { type: 'RESUME' };

export const supervisorMachine = setup({
  types: { context: {} as GateContext, input: {} as { now: () => number }, events: {} as GateEvent },
  delays: { throttleLeft: ({ context }) => Math.max(0, context.untilAt - context.now()) },
  actions: {
    extendThrottle: assign(({ context, event }) => ({
      untilAt: Math.max(context.untilAt, event.type === 'THROTTLE' ? event.untilAt : 0),
    })),
    recordHalt: assign(({ event }) => ({ haltedBy: event.type === 'HALT' ? event.error : null })),
    clearHalt: assign({ haltedBy: null }),
  },
}).createMachine({
  id: 'supervisor',
  context: ({ input }) => ({ now: input.now, untilAt: 0, haltedBy: null }),
  initial: 'healthy',
  states: {
    healthy: {
      on: {
        THROTTLE: { target: 'throttled', actions: 'extendThrottle' },
        HALT: { target: 'halted', actions: 'recordHalt' },
      },
    },
    throttled: {
      after: { throttleLeft: 'healthy' },
      on: {
        // Re-enter so the timer restarts from the extended deadline.
        THROTTLE: { target: 'throttled', reenter: true, actions: 'extendThrottle' },
        HALT: { target: 'halted', actions: 'recordHalt' },
      },
    },
    halted: {
      on: { RESUME: { target: 'healthy', actions: 'clearHalt' } },
    },
  },
});

export type ProviderGate = 'healthy' | 'throttled' | 'halted';
