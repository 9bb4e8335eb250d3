import type { AnyStateMachine, AnyStateNode } from 'xstate';

/** One transition of a state, as a drawing needs it. */
export interface TransitionDefinition {
  /** The event type; null for an eventless (`always`) transition. Delays are `xstate.after.<delay>.<state id>`. */
  event: string | null;
  /** Ids of the target states; empty for a transition that stays (actions only). */
  targets: string[];
  guard: string | null;
}

/** A state of a machine and everything under it, as plain JSON. */
export interface StateDefinition {
  id: string;
  key: string;
  type: 'atomic' | 'compound' | 'parallel' | 'final' | 'history';
  /** Id of the initial child state, for compound states. */
  initial: string | null;
  states: Record<string, StateDefinition>;
  transitions: TransitionDefinition[];
}

function guardName(guard: unknown): string | null {
  if (!guard) return null;
  if (typeof guard === 'string') return guard;
  if (typeof guard === 'object' && 'type' in guard && typeof guard.type === 'string') return guard.type;
  return 'guard';
}

function stateDefinition(node: AnyStateNode): StateDefinition {
  const transitions: TransitionDefinition[] = [];
  const add = (event: string | null, list: readonly { target?: readonly AnyStateNode[] | undefined; guard?: unknown }[]) => {
    for (const t of list) transitions.push({ event, targets: (t.target ?? []).map((s) => s.id), guard: guardName(t.guard) });
  };
  for (const [event, list] of node.transitions) add(event, list);
  // `always` transitions are not part of XState's own toJSON(): without them the drawing misses edges.
  add(null, node.always ?? []);
  return {
    id: node.id,
    key: node.key,
    type: node.type,
    initial: node.initial?.target[0]?.id ?? null,
    states: Object.fromEntries(Object.entries(node.states).map(([key, child]) => [key, stateDefinition(child as AnyStateNode)])),
    transitions,
  };
}

/** A machine's states and transitions (eventless ones included) as plain JSON, for inspectors to draw. */
export function machineDefinition(machine: AnyStateMachine): StateDefinition {
  return stateDefinition(machine.root);
}
