import type { StateDefinition } from '@clipfleet/engine';

/**
 * Statechart graphs from machine definitions (`inspector.machines`, built by the engine's `machineDefinition`):
 * nested states become nodes (compound states are groups), transitions become labelled edges.
 */

export type ChartNodeKind = StateDefinition['type'];

export interface ChartNode {
  id: string;
  label: string;
  parent: string | null;
  kind: ChartNodeKind;
  /** Initial child of its parent. */
  initial: boolean;
}

export interface ChartEdge {
  id: string;
  source: string;
  target: string;
  label: string;
  /** An eventless (`always`) transition. */
  always: boolean;
}

export interface ChartGraph {
  rootId: string;
  nodes: ChartNode[];
  edges: ChartEdge[];
}

/** "xstate.after.pollDelay.task.polling" -> "after pollDelay"; done/error events of invoked actors shortened. */
export function eventLabel(event: string | null, guard: string | null = null): string {
  if (!event) return guard ? `[${guard}]` : 'always';
  const after = /^xstate\.after\.([^.]+)/.exec(event);
  if (after) return /^\d+$/.test(after[1]!) ? `after ${after[1]} ms` : `after ${after[1]}`;
  if (event.startsWith('xstate.done.actor.')) return 'done';
  if (event.startsWith('xstate.error.actor.')) return 'error';
  if (event.startsWith('xstate.done.state.')) return 'done';
  return event;
}

/** Whether `id` is `ancestor` or lies inside it. */
const within = (id: string, ancestor: string) => id === ancestor || id.startsWith(`${ancestor}.`);

/**
 * Flattens a machine definition into nodes and merged, labelled edges (one edge per source/target pair).
 * A transition from inside a compound state to a state outside it is drawn from the compound state itself:
 * `polling.checking -> succeeded` and `polling -> succeeded` become one edge, which keeps the drawing readable
 * (the label still names every event that takes it).
 */
export function definitionToGraph(root: StateDefinition): ChartGraph {
  const nodes: ChartNode[] = [];
  const merged = new Map<string, { source: string; target: string; labels: string[]; always: boolean }>();
  const compounds: string[] = [];

  function visit(def: StateDefinition, parent: string | null, isInitial: boolean) {
    const children = Object.values(def.states);
    if (parent !== null) {
      nodes.push({ id: def.id, label: def.key, parent: parent === root.id ? null : parent, kind: def.type, initial: isInitial });
      if (children.length > 0) compounds.push(def.id);
      for (const t of def.transitions) {
        for (const target of t.targets) {
          if (target === def.id) continue;
          // Lift to the outermost compound ancestor (below the root) that contains the source but not the target.
          const source = compounds.find((c) => within(def.id, c) && !within(target, c)) ?? def.id;
          const key = `${source}->${target}`;
          // Guards stay off the drawing (they would triple its width), except on eventless transitions: there
          // the guard is all that says which one is taken.
          const label = eventLabel(t.event, t.event === null ? t.guard : null);
          const entry = merged.get(key) ?? { source, target, labels: [], always: t.event === null };
          if (!entry.labels.includes(label)) entry.labels.push(label);
          merged.set(key, entry);
        }
      }
    }
    for (const child of children) visit(child, def.id, child.id === def.initial);
  }
  visit(root, null, false);

  const ids = new Set(nodes.map((n) => n.id));
  const edges: ChartEdge[] = [];
  for (const [key, e] of merged) {
    if (!ids.has(e.target)) continue;
    edges.push({ id: key, source: e.source, target: e.target, label: e.labels.join('\n'), always: e.always });
  }
  return { rootId: root.id, nodes, edges };
}

/**
 * Node ids active for an XState state value: "polling" -> ["task.polling"],
 * { polling: "waiting" } -> ["task.polling", "task.polling.waiting"].
 */
export function activeStateIds(rootId: string, value: unknown): string[] {
  const out: string[] = [];
  function walk(prefix: string, v: unknown) {
    if (typeof v === 'string') out.push(`${prefix}.${v}`);
    else if (v && typeof v === 'object')
      for (const [k, child] of Object.entries(v)) {
        out.push(`${prefix}.${k}`);
        walk(`${prefix}.${k}`, child);
      }
  }
  walk(rootId, value);
  return out;
}
