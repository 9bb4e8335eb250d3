import { and, not, or, type AnyStateMachine } from 'xstate';

/**
 * A statechart compiled once from an XState machine into plain tables, and stepped without XState's interpreter.
 *
 * Why: XState's `transition` recomputes the transition's structure (exit and entry sets, node sets, snapshots)
 * on every event; at 100,000 tasks and ~8 transitions each that was most of the engine's CPU and much of its
 * garbage. The structure of a transition depends only on the state it leaves and the transition taken, so here
 * it is computed once per pair and memoised; what runs per event is guards, assigns and the effect list.
 *
 * The definition stays the XState machine (the inspector draws it; guards, actions and delays are its own
 * implementations). Semantics follow XState v5's microstep/macrostep for the subset a task machine uses:
 * compound and final states (final only at the top level), `on`/`after`/`always` transitions (first enabled
 * candidate from the active leaf upwards, `reenter`), named and `and`/`or`/`not` guards, and assign, emit,
 * enqueueActions (assign/emit/named actions), delayed raise/cancel (from `after`) and custom actions.
 * Anything else is refused when the machine is compiled. A property test steps this and XState's own
 * `transition` side by side and requires the same states, contexts and effects (compiledMachine.properties.test.ts).
 *
 * Reads the documented shape of state nodes (`states`, `transitions`, `always`, `entry`, `exit`, `initial`) and
 * the fields XState's built-in action creators carry (`type`, `assignment`, `event`, `collect`, `delay`, `id`,
 * `sendId`): those are not in XState's public types, hence the local `Builtin` type.
 *
 * Over 400 lines on purpose: the compiler and the stepper share the node and transition tables and the
 * semantics they implement together; split, each half would only make sense beside the other.
 */

export type StateValue = string | { [key: string]: StateValue };

/** What a step asks its host to do, in the order XState would hand the same actions to its executor. */
export type Effect<E> =
  | { kind: 'emit'; event: E }
  /** A delayed event (an `after` transition): deliver `event` after `delay` ms unless cancelled by `id`. */
  | { kind: 'after'; id: string; event: { type: string }; delay: number }
  | { kind: 'cancel'; id: string }
  /** A custom action, with the arguments it was resolved with. */
  | { kind: 'call'; name: string; exec: (args: unknown, params: unknown) => void; args: { context: unknown; event: unknown }; params: unknown };

/** A running machine's state: stepped in place (one object per running machine, not one per transition). */
export interface MachineState<C> {
  node: CompiledNode;
  context: C;
}

type Guard = (context: any, event: any) => boolean;
/** One resolved action: returns the (possibly new) context and appends its effects. */
type Step = (context: any, event: any, effects: Effect<unknown>[]) => any;

interface Builtin {
  type: string;
  assignment?: unknown;
  event?: unknown;
  collect?: (args: unknown, params: unknown) => void;
  delay?: unknown;
  id?: string;
  sendId?: unknown;
  guards?: unknown[];
  check?: unknown;
}

export interface CompiledNode {
  readonly key: string;
  readonly parent: CompiledNode | null;
  readonly order: number;
  readonly final: boolean;
  /** XState's state value with this node as the active leaf. */
  readonly value: StateValue;
  /** Whether entering this node ends the machine (a final state at the top level). */
  readonly ends: boolean;
  children: CompiledNode[];
  initial: CompiledNode | null;
  entry: Step[];
  exit: Step[];
  on: Map<string, CompiledTransition[]>;
  always: CompiledTransition[] | null;
}

interface CompiledTransition {
  source: CompiledNode;
  guard: Guard | null;
  target: CompiledNode | null;
  reenter: boolean;
  actions: Step[];
  /** Exit and entry sets per active leaf the transition is taken from. */
  paths: Map<CompiledNode, Path>;
}

interface Path {
  exit: CompiledNode[];
  enter: CompiledNode[];
  leaf: CompiledNode;
}

const AND = (and([]) as unknown as Builtin).check;
const OR = (or([]) as unknown as Builtin).check;
const NOT = (not('x') as unknown as Builtin).check;

function unsupported(what: string): never {
  throw new Error(`compiledMachine: ${what} is not supported (step the machine with XState's transition instead)`);
}

/**
 * Whether the context object in hand is seen by anyone but the machine's state: a custom action resolved in this
 * step holds the context it saw (it runs after the step), so the next assign must copy rather than write.
 */
interface Frame {
  shared: boolean;
}

/**
 * The `{ context, event }` argument of a guard, an assignment, an emitted event's or a delay's expression: one
 * object per machine, filled in before each call, because those calls read it at once and keep nothing (a guard
 * or an assignment that kept its argument would see it change). An object per call was most of the garbage of
 * a running task. Custom actions, which run after the step, get their own.
 */
interface Args {
  context: unknown;
  event: unknown;
}

function fill(args: Args, context: unknown, event: unknown): Args {
  args.context = context;
  args.event = event;
  return args;
}

/**
 * XState's assign (a function's patch, or an object whose function values are evaluated) with the same values,
 * but written into the context in place unless it is shared: a running task's context lives for a whole poll
 * interval, and a copy per assign was most of the engine's long-lived garbage.
 */
function assigned(frame: Frame, args: Args, assignment: unknown, context: object, event: unknown, params: unknown): object {
  let patch = assignment as Record<string, unknown>;
  if (typeof assignment === 'function') patch = assignment(fill(args, context, event), params);
  else if (hasFunctionValue(patch)) {
    patch = {};
    for (const key of Object.keys(assignment as object)) {
      const value = (assignment as Record<string, unknown>)[key];
      patch[key] = typeof value === 'function' ? value(fill(args, context, event), params) : value;
    }
  }
  if (!frame.shared) return Object.assign(context, patch);
  frame.shared = false;
  return { ...context, ...patch };
}

function hasFunctionValue(values: Record<string, unknown>): boolean {
  for (const key in values) if (typeof values[key] === 'function') return true;
  return false;
}

/** Runs `steps` in order on the state's context (indexed: this runs for every action of every transition). */
function run(steps: Step[], state: MachineState<unknown>, event: unknown, effects: Effect<unknown>[]): void {
  for (let i = 0; i < steps.length; i++) state.context = steps[i]!(state.context, event, effects);
}

function isDescendant(node: CompiledNode, of: CompiledNode): boolean {
  for (let p = node.parent; p; p = p.parent) if (p === of) return true;
  return false;
}

/** Active nodes with `leaf` active: the leaf and its ancestors, root first. */
function pathTo(leaf: CompiledNode): CompiledNode[] {
  const path: CompiledNode[] = [];
  for (let n: CompiledNode | null = leaf; n; n = n.parent) path.unshift(n);
  return path;
}

/** XState's exit and entry sets for `t` taken with `leaf` active (no history, no parallel states). */
function computePath(t: CompiledTransition, leaf: CompiledNode): Path {
  const target = t.target!;
  let domain: CompiledNode | null;
  if (!t.reenter && (target === t.source || isDescendant(target, t.source))) domain = t.source;
  else {
    domain = null;
    for (let a = target.parent; a; a = a.parent) if (isDescendant(t.source, a)) { domain = a; break; }
  }
  const active = pathTo(leaf);
  const exit = active.filter((n) => (domain ? isDescendant(n, domain) : true) || (t.reenter && n === domain && t.source === domain));
  const enter = new Set<CompiledNode>();
  if (t.source !== target || t.source !== domain || t.reenter) enter.add(target);
  for (let a = target.parent; a && a !== domain; a = a.parent) enter.add(a);
  let deepest = target;
  while (deepest.initial) {
    deepest = deepest.initial;
    enter.add(deepest);
  }
  return { exit: exit.sort((a, b) => b.order - a.order), enter: [...enter].sort((a, b) => a.order - b.order), leaf: deepest };
}

class Compiler {
  private order = 0;
  private readonly args: Args = { context: undefined, event: undefined };

  constructor(
    private readonly machine: AnyStateMachine,
    private readonly frame: Frame,
  ) {}

  private guard(ref: unknown): Guard {
    const { guards } = this.machine.implementations;
    if (typeof ref === 'string' || (typeof ref === 'object' && ref !== null)) {
      const name = typeof ref === 'string' ? ref : (ref as { type: string }).type;
      const params = typeof ref === 'object' ? (ref as { params?: unknown }).params : undefined;
      if (typeof params === 'function') unsupported('guard params as a function');
      const impl = guards[name] as unknown;
      if (typeof impl !== 'function') {
        if (impl === undefined) throw new Error(`compiledMachine: guard "${name}" is not implemented`);
        return this.guard(impl);
      }
      if ('check' in (impl as object)) return this.guard(impl);
      const { args } = this;
      return (context, event) => (impl as (a: unknown, p: unknown) => boolean)(fill(args, context, event), params);
    }
    if (typeof ref !== 'function' || !('check' in ref)) {
      const { args } = this;
      return (context, event) => (ref as (a: unknown) => boolean)(fill(args, context, event));
    }
    const builtin = ref as unknown as Builtin;
    const parts = (builtin.guards ?? []).map((g) => this.guard(g));
    // Loops, not every/some: a guard runs on every candidate transition, and a callback per call is garbage.
    if (builtin.check === AND)
      return (c, e) => {
        for (let i = 0; i < parts.length; i++) if (!parts[i]!(c, e)) return false;
        return true;
      };
    if (builtin.check === OR)
      return (c, e) => {
        for (let i = 0; i < parts.length; i++) if (parts[i]!(c, e)) return true;
        return false;
      };
    if (builtin.check === NOT) return (c, e) => !parts[0]!(c, e);
    return unsupported('a guard other than and/or/not');
  }

  /** One action reference (a name, `{ type, params }`, or a built-in action object) as a step. */
  action(ref: unknown): Step {
    const { actions } = this.machine.implementations;
    let impl: unknown = ref;
    let name = '(inline)';
    let params: unknown;
    // A name or `{ type, params }` names an implementation; a function or an object with `resolve` is one.
    if (typeof ref === 'string' || (typeof ref === 'object' && ref !== null && !('resolve' in ref))) {
      name = typeof ref === 'string' ? ref : (ref as { type: string }).type;
      params = typeof ref === 'object' ? (ref as { params?: unknown }).params : undefined;
      if (typeof params === 'function') unsupported('action params as a function');
      impl = actions[name];
      if (impl === undefined) throw new Error(`compiledMachine: action "${name}" is not implemented`);
    }
    const builtin = impl as Builtin & ((a: unknown, p: unknown) => void);
    if (!('resolve' in builtin)) {
      return (context, event, effects) => {
        effects.push({ kind: 'call', name, exec: builtin, args: { context, event }, params });
        this.frame.shared = true;
        return context;
      };
    }
    const { args } = this;
    switch (builtin.type) {
      case 'xstate.assign': {
        const { assignment } = builtin;
        return (context, event) => assigned(this.frame, args, assignment, context, event, params);
      }
      case 'xstate.emit': {
        const expr = builtin.event;
        // A fixed event is one effect, made once (the host only reads effects).
        const fixed: Effect<unknown> | null = typeof expr === 'function' ? null : { kind: 'emit', event: expr };
        return (context, event, effects) => {
          effects.push(fixed ?? { kind: 'emit', event: (expr as (a: Args, p: unknown) => unknown)(fill(args, context, event), params) });
          return context;
        };
      }
      case 'xstate.enqueueActions': {
        const collect = builtin.collect!;
        const { queue, collectArgs } = this;
        return (context, event, effects) => {
          // As XState does: collect first, then resolve in order (an assign is seen by what follows it). The
          // queue is shared (pairs of kind and value); a nested enqueueActions works past this call's part.
          const start = queue.length;
          collectArgs.context = context;
          collectArgs.event = event;
          collect(collectArgs, params);
          const end = queue.length;
          let next = context;
          for (let i = start; i < end; i += 2) {
            const value = queue[i + 1];
            if (queue[i] === 'assign') next = assigned(this.frame, args, value, next, event, undefined);
            else if (queue[i] === 'emit') effects.push({ kind: 'emit', event: typeof value === 'function' ? value(fill(args, next, event), undefined) : value });
            else next = this.resolved(value)(next, event, effects);
          }
          queue.length = start;
          return next;
        };
      }
      case 'xstate.raise': {
        const { event: raised, id, delay } = builtin;
        if (delay === undefined || typeof raised !== 'object' || typeof id !== 'string') unsupported('raise without a delay, or with a computed event or id');
        const delays = this.machine.implementations.delays;
        return (context, event, effects) => {
          const d = typeof delay === 'string' ? delays[delay] : delay;
          const ms = typeof d === 'function' ? (d as (a: unknown, p: unknown) => number)(fill(args, context, event), params) : d;
          if (typeof ms !== 'number') unsupported(`delay ${String(delay)} that is not a number`);
          effects.push({ kind: 'after', id, event: raised as { type: string }, delay: ms });
          return context;
        };
      }
      case 'xstate.cancel': {
        const { sendId } = builtin;
        if (typeof sendId !== 'string') unsupported('cancel with a computed id');
        const effect: Effect<unknown> = { kind: 'cancel', id: sendId };
        return (context, _event, effects) => {
          effects.push(effect);
          return context;
        };
      }
      default:
        return unsupported(`the built-in action ${builtin.type}`);
    }
  }

  /** What enqueueActions' `enqueue` collected: kind, value, kind, value... */
  private readonly queue: unknown[] = [];
  private readonly enqueue = Object.assign((action: unknown) => void this.queue.push('action', action), {
    assign: (assignment: unknown) => void this.queue.push('assign', assignment),
    emit: (emitted: unknown) => void this.queue.push('emit', emitted),
  });
  /** enqueueActions' argument, reused like `args`: a collect has returned before anything it enqueued runs. */
  private readonly collectArgs = {
    context: undefined as unknown,
    event: undefined as unknown,
    enqueue: this.enqueue,
    check: (g: unknown) => this.guard(g)(this.collectArgs.context, this.collectArgs.event),
  };

  /** An action enqueued at run time (compiled on first use and kept when it is a named one). */
  private readonly named = new Map<string, Step>();
  private resolved(a: unknown): Step {
    if (typeof a !== 'string') return this.action(a);
    let step = this.named.get(a);
    if (!step) this.named.set(a, (step = this.action(a)));
    return step;
  }

  node(source: any, parent: CompiledNode | null): CompiledNode {
    if (source.type === 'parallel' || source.type === 'history') unsupported(`a ${source.type} state (${source.id})`);
    if (source.invoke.length > 0) unsupported(`invoke (${source.id})`);
    if (source.type === 'final' && parent?.parent) unsupported(`a nested final state (${source.id})`);
    const path = parent ? [...this.keysOf(parent), source.key as string] : [];
    const node: CompiledNode = {
      key: source.key,
      parent,
      order: this.order++,
      final: source.type === 'final',
      ends: source.type === 'final' && parent !== null && parent.parent === null,
      value: path.reduceRight<StateValue>((inner, key, i) => (i === path.length - 1 ? key : { [key]: inner }), ''),
      children: [],
      initial: null,
      entry: source.entry.map((a: unknown) => this.action(a)),
      exit: source.exit.map((a: unknown) => this.action(a)),
      on: new Map(),
      always: null,
    };
    for (const child of Object.values(source.states)) node.children.push(this.node(child, node));
    return node;
  }

  private keysOf(node: CompiledNode): string[] {
    const keys: string[] = [];
    for (let n: CompiledNode | null = node; n?.parent; n = n.parent) keys.unshift(n.key);
    return keys;
  }

  /** Second pass: transitions need every node to exist (targets may be anywhere). */
  link(source: any, node: CompiledNode, byId: Map<string, CompiledNode>): void {
    const transition = (t: any): CompiledTransition => {
      if ((t.target?.length ?? 0) > 1) unsupported(`a transition with several targets (${source.id})`);
      return {
        source: node,
        guard: t.guard === undefined ? null : this.guard(t.guard),
        target: t.target?.length ? byId.get(t.target[0].id)! : null,
        reenter: t.reenter,
        actions: t.actions.map((a: unknown) => this.action(a)),
        paths: new Map(),
      };
    };
    for (const [eventType, list] of source.transitions as Map<string, unknown[]>) {
      if (eventType.includes('*')) unsupported(`a wildcard event descriptor (${eventType})`);
      node.on.set(eventType, list.map(transition));
    }
    if (source.always?.length) {
      node.always = source.always.map(transition);
      if (node.always!.some((t) => t.target === null)) unsupported(`an eventless transition without a target (${source.id})`);
    }
    if (source.initial?.target?.length) {
      if (source.initial.actions.length > 0) unsupported(`initial actions (${source.id})`);
      node.initial = byId.get(source.initial.target[0].id)!;
    }
    Object.values(source.states).forEach((child: any, i) => this.link(child, node.children[i]!, byId));
  }
}

/** A machine compiled for `CompiledMachine.step`; see the module comment. */
export class CompiledMachine<C, E extends { type: string }, I> {
  private readonly root: CompiledNode;
  private readonly contextOf: (input: I) => C;
  private readonly frame: Frame = { shared: false };

  constructor(machine: AnyStateMachine) {
    const compiler = new Compiler(machine, this.frame);
    this.root = compiler.node(machine.root, null);
    const byId = new Map<string, CompiledNode>();
    const index = (source: any, node: CompiledNode) => {
      byId.set(source.id, node);
      Object.values(source.states).forEach((child: any, i) => index(child, node.children[i]!));
    };
    index(machine.root, this.root);
    compiler.link(machine.root, this.root, byId);
    const { context } = machine.config as { context?: unknown };
    if (typeof context !== 'function') unsupported('a context that is not a function of the input');
    this.contextOf = (input) => (context as (a: { input: I }) => C)({ input });
  }

  /** The state after entering the machine with `input`; the effects of getting there are appended to `effects`. */
  initial(input: I, effects: Effect<unknown>[]): MachineState<C> {
    this.frame.shared = false;
    const init = { type: 'xstate.init', input };
    const state: MachineState<C> = { node: this.root, context: this.contextOf(input) };
    this.enter(state, this.root, init, effects);
    while (state.node.initial) this.enter(state, state.node.initial, init, effects);
    this.settle(state, init, effects);
    return state;
  }

  /**
   * One event, in place: XState's macrostep (the event's microstep, then eventless transitions until none is
   * enabled). The effects are appended to `effects`, for the host to carry out after the step.
   */
  step(state: MachineState<C>, event: E, effects: Effect<unknown>[]): void {
    if (state.node.ends) return;
    this.frame.shared = false;
    const t = this.select(state.node, state.context, event, 'on');
    if (t) this.microstep(state, t, event, effects);
    this.settle(state, event, effects);
  }

  /** Whether the machine has ended (XState's status `done`). */
  done(state: MachineState<C>): boolean {
    return state.node.ends;
  }

  private enter(state: MachineState<C>, node: CompiledNode, event: { type: string }, effects: Effect<unknown>[]): void {
    state.node = node;
    run(node.entry, state, event, effects);
  }

  private settle(state: MachineState<C>, event: { type: string }, effects: Effect<unknown>[]): void {
    while (!state.node.ends) {
      const t = this.select(state.node, state.context, event, 'always');
      if (!t) return;
      this.microstep(state, t, event, effects);
    }
  }

  private select(leaf: CompiledNode, context: C, event: { type: string }, kind: 'on' | 'always'): CompiledTransition | null {
    for (let n: CompiledNode | null = leaf; n; n = n.parent) {
      const candidates = kind === 'on' ? n.on.get(event.type) : n.always;
      if (!candidates) continue;
      for (let i = 0; i < candidates.length; i++) {
        const t = candidates[i]!;
        if (t.guard === null || t.guard(context, event)) return t;
      }
    }
    return null;
  }

  private microstep(state: MachineState<C>, t: CompiledTransition, event: { type: string }, effects: Effect<unknown>[]): void {
    if (t.target === null) {
      run(t.actions, state, event, effects);
      return;
    }
    let path = t.paths.get(state.node);
    if (!path) t.paths.set(state.node, (path = computePath(t, state.node)));
    for (let i = 0; i < path.exit.length; i++) run(path.exit[i]!.exit, state, event, effects);
    run(t.actions, state, event, effects);
    for (let i = 0; i < path.enter.length; i++) run(path.enter[i]!.entry, state, event, effects);
    state.node = path.leaf;
    if (path.leaf.ends) for (const n of pathTo(path.leaf).reverse()) for (const step of n.exit) state.context = step(state.context, event, effects);
  }
}
