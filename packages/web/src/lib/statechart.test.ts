import { describe, expect, it } from 'vitest';
import { fromPromise, setup } from 'xstate';
import { activeStateIds, definitionToGraph, eventLabel, type StateDefinitionJson } from './statechart.ts';

const machine = setup({
  actors: { call: fromPromise(async () => 1) },
  guards: { ok: () => true },
  delays: { pollDelay: 100 },
}).createMachine({
  id: 'task',
  initial: 'queued',
  states: {
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
  const def = JSON.parse(JSON.stringify(machine.toJSON())) as StateDefinitionJson;
  const graph = definitionToGraph(def);

  it('makes a node per state, nested under compound parents, with kinds and the initial flag', () => {
    const byId = Object.fromEntries(graph.nodes.map((n) => [n.id, n]));
    expect(Object.keys(byId).sort()).toEqual(
      ['task.cancelled', 'task.failed', 'task.polling', 'task.polling.checking', 'task.polling.waiting', 'task.queued', 'task.submitting', 'task.succeeded'].sort(),
    );
    expect(byId['task.polling']).toMatchObject({ kind: 'compound', parent: null });
    expect(byId['task.polling.waiting']).toMatchObject({ kind: 'atomic', parent: 'task.polling', initial: true });
    expect(byId['task.queued']?.initial).toBe(true);
    expect(byId['task.succeeded']?.kind).toBe('final');
  });

  it('labels edges with events, guards, delays and invoke outcomes, merging parallel transitions', () => {
    const edge = (s: string, t: string) => graph.edges.find((e) => e.source === s && e.target === t)?.label;
    expect(edge('task.queued', 'task.submitting')).toBe('SUBMIT');
    expect(edge('task.submitting', 'task.polling')).toBe('done');
    expect(edge('task.submitting', 'task.failed')).toBe('done\nerror');
    expect(edge('task.polling.waiting', 'task.polling.checking')).toBe('after pollDelay');
    expect(edge('task.polling.checking', 'task.succeeded')).toBe('DONE');
    expect(edge('task.polling', 'task.cancelled')).toBe('CANCEL');
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
