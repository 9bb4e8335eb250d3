/**
 * Statechart graphs from XState machine definitions (`machine.toJSON()` sent as JSON by `inspector.machines`):
 * nested states become nodes (compound states are groups), transitions become labelled edges.
 */

export type ChartNodeKind = 'atomic' | 'compound' | 'parallel' | 'final' | 'history';

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
}

export interface ChartGraph {
  rootId: string;
  nodes: ChartNode[];
  edges: ChartEdge[];
}

/** The parts of an XState state node definition (as JSON) this module reads. */
export interface StateDefinitionJson {
  id: string;
  key?: string;
  type?: string;
  initial?: { target?: (string | { id: string })[] } | string | null;
  states?: Record<string, StateDefinitionJson>;
  transitions?: TransitionJson[];
  on?: Record<string, TransitionJson[] | TransitionJson>;
  always?: TransitionJson[] | TransitionJson;
}

export interface TransitionJson {
  eventType?: string | null;
  target?: (string | { id: string })[] | string | null;
  guard?: { type?: string } | string | null;
}

function stripHash(id: string): string {
  return id.startsWith('#') ? id.slice(1) : id;
}

function targetIds(t: TransitionJson['target'], sourceId: string, parentId: string | null): string[] {
  if (t === null || t === undefined) return [];
  const list = Array.isArray(t) ? t : [t];
  return list.map((x) => {
    if (typeof x !== 'string') return x.id;
    if (x.startsWith('#')) return stripHash(x);
    // A relative key: a sibling of the source ('.child' would be a child).
    if (x.startsWith('.')) return `${sourceId}${x}`;
    return parentId ? `${parentId}.${x}` : x;
  });
}

/** "xstate.after.pollDelay.task.polling" -> "after pollDelay"; done/error events of invoked actors shortened. */
export function eventLabel(eventType: string | null | undefined): string {
  if (!eventType) return 'always';
  const after = /^xstate\.after\.([^.]+)/.exec(eventType);
  if (after) return /^\d+$/.test(after[1]!) ? `after ${after[1]} ms` : `after ${after[1]}`;
  if (eventType.startsWith('xstate.done.actor.')) return 'done';
  if (eventType.startsWith('xstate.error.actor.')) return 'error';
  if (eventType.startsWith('xstate.done.state.')) return 'done';
  return eventType;
}

function collectTransitions(def: StateDefinitionJson): TransitionJson[] {
  const out: TransitionJson[] = [];
  if (def.transitions) out.push(...def.transitions);
  else if (def.on) {
    for (const [eventType, ts] of Object.entries(def.on)) for (const t of Array.isArray(ts) ? ts : [ts]) out.push({ ...t, eventType });
  }
  if (def.always) for (const t of Array.isArray(def.always) ? def.always : [def.always]) out.push({ ...t, eventType: null });
  return out;
}

function initialKey(def: StateDefinitionJson): string | null {
  const i = def.initial;
  if (!i) return null;
  if (typeof i === 'string') return `${def.id}.${i}`;
  const first = i.target?.[0];
  if (!first) return null;
  return typeof first === 'string' ? stripHash(first) : first.id;
}

/** Flattens a machine definition into nodes and merged, labelled edges (one edge per source/target pair). */
export function definitionToGraph(root: StateDefinitionJson): ChartGraph {
  const nodes: ChartNode[] = [];
  const edgeLabels = new Map<string, { source: string; target: string; labels: string[] }>();

  function visit(def: StateDefinitionJson, parent: string | null, isInitial: boolean) {
    const children = Object.values(def.states ?? {});
    if (parent !== null) {
      const kind: ChartNodeKind =
        def.type === 'final' ? 'final' : def.type === 'parallel' ? 'parallel' : def.type === 'history' ? 'history' : children.length ? 'compound' : 'atomic';
      nodes.push({ id: def.id, label: def.key ?? def.id.split('.').at(-1) ?? def.id, parent: parent === root.id ? null : parent, kind, initial: isInitial });
      for (const t of collectTransitions(def)) {
        for (const target of targetIds(t.target, def.id, parent)) {
          if (target === def.id) continue;
          const key = `${def.id}->${target}`;
          // Guards stay off the drawing (they would triple its width); the event names say what moves it.
          const label = eventLabel(t.eventType);
          const entry = edgeLabels.get(key) ?? { source: def.id, target, labels: [] };
          if (!entry.labels.includes(label)) entry.labels.push(label);
          edgeLabels.set(key, entry);
        }
      }
    }
    const init = initialKey(def);
    for (const child of children) visit(child, def.id, child.id === init);
  }
  visit(root, null, false);

  const ids = new Set(nodes.map((n) => n.id));
  const edges: ChartEdge[] = [];
  for (const [key, e] of edgeLabels) {
    if (!ids.has(e.target)) continue;
    edges.push({ id: key, source: e.source, target: e.target, label: e.labels.join('\n') });
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
