import { describe, expect, it } from 'vitest';
import { machineDefinition, taskMachine } from '@clipfleet/engine';
import { fromPromise, setup } from 'xstate';
import { activeStateIds, definitionToGraph, eventLabel } from './statechart.ts';

const machine = setup({
  actors: { call: fromPromise(async () => 1) },
  guards: { ok: () => true },
  delays: { pollDelay: 100 },
}).createMachine({
  id: 'task',
  initial: 'init',
  states: {
    init: { always: [{ guard: 'ok', target: 'polling' }, { target: 'queued' }] },
    queued: { on: { SUBMIT: 'submitting', CANCEL: 'cancelled' } },
    submitting: {
      invoke: { src: 'call', onDone: [{ guard: 'ok', target: 'polling' }, { target: 'failed' }], onError: 'failed' },
    },
    polling: {
      initial: 'waiting',
      on: { CANCEL: '#task.cancelled' },
      states: {
        waiting: { after: { pollDelay: 'checking' } },
        checking: { on: { DONE: '#task.succeeded', AGAIN: 'waiting' } },
      },
    },
    succeeded: { type: 'final' },
    failed: { type: 'final' },
    cancelled: { type: 'final' },
  },
});

describe('definitionToGraph', () => {
  // Through JSON, as the server sends it.
  const graph = definitionToGraph(JSON.parse(JSON.stringify(machineDefinition(machine))));

  it('makes a node per state, nested under compound parents, with kinds and the initial flag', () => {
    const byId = Object.fromEntries(graph.nodes.map((n) => [n.id, n]));
    expect(Object.keys(byId).sort()).toEqual(
      ['task.init', 'task.cancelled', 'task.failed', 'task.polling', 'task.polling.checking', 'task.polling.waiting', 'task.queued', 'task.submitting', 'task.succeeded'].sort(),
    );
    expect(byId['task.polling']).toMatchObject({ kind: 'compound', parent: null });
    expect(byId['task.polling.waiting']).toMatchObject({ kind: 'atomic', parent: 'task.polling', initial: true });
    expect(byId['task.init']?.initial).toBe(true);
    expect(byId['task.succeeded']?.kind).toBe('final');
  });

  it('labels edges with events, guards, delays and invoke outcomes, merging parallel transitions', () => {
    const edge = (s: string, t: string) => graph.edges.find((e) => e.source === s && e.target === t)?.label;
    expect(edge('task.queued', 'task.submitting')).toBe('SUBMIT');
    expect(edge('task.submitting', 'task.polling')).toBe('done');
    expect(edge('task.submitting', 'task.failed')).toBe('done\nerror');
    expect(edge('task.polling.waiting', 'task.polling.checking')).toBe('after pollDelay');
    expect(edge('task.polling.checking', 'task.polling.waiting')).toBe('AGAIN');
    expect(edge('task.polling', 'task.cancelled')).toBe('CANCEL');
  });

  it('draws eventless (always) transitions, named by their guard', () => {
    const always = graph.edges.filter((e) => e.always).map((e) => [e.source, e.target, e.label]);
    expect(always).toEqual([
      ['task.init', 'task.polling', '[ok]'],
      ['task.init', 'task.queued', 'always'],
    ]);
  });

  it('draws a transition leaving a compound state from the compound state, merged with its own', () => {
    const edge = (s: string, t: string) => graph.edges.find((e) => e.source === s && e.target === t)?.label;
    expect(edge('task.polling', 'task.succeeded')).toBe('DONE');
    expect(graph.edges.some((e) => e.source === 'task.polling.checking' && e.target === 'task.succeeded')).toBe(false);
  });

  it("covers the engine's task machine: every state, the init state's three eventless transitions", () => {
    const task = definitionToGraph(machineDefinition(taskMachine));
    expect(task.nodes.map((n) => n.id)).toContain('task.polling.expiring');
    expect(task.edges.filter((e) => e.source === 'task.init' && e.always).map((e) => e.target).sort()).toEqual(['task.polling', 'task.queued', 'task.retrying']);
  });
});

describe('activeStateIds / eventLabel', () => {
  it('expands nested state values', () => {
    expect(activeStateIds('task', 'queued')).toEqual(['task.queued']);
    expect(activeStateIds('task', { polling: 'waiting' })).toEqual(['task.polling', 'task.polling.waiting']);
  });
  it('shortens internal event names', () => {
    expect(eventLabel('xstate.after.1000.task.x')).toBe('after 1000 ms');
    expect(eventLabel('xstate.error.actor.0.task.x')).toBe('error');
    expect(eventLabel(null)).toBe('always');
  });
});
