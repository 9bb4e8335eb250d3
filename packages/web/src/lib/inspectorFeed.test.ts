import type { EngineEvent } from '@clipfleet/engine';
import { describe, expect, it } from 'vitest';
import { applyEvent, applySnapshot, emptyFeed, MAX_EVENTS_PER_TASK } from './inspectorFeed.ts';

const ref = { taskId: 't1', batchId: 'b', userId: 'u', at: 0 };
const ev = (seq: number, body: Record<string, unknown>) => ({ ...ref, seq, ...body }) as EngineEvent;

describe('inspector feed', () => {
  it('moves a task through states from its events and ignores replays', () => {
    const f = emptyFeed();
    applyEvent(f, ev(1, { type: 'task.admitted', attempt: 1 }));
    applyEvent(f, ev(2, { type: 'task.submitting', attempt: 1 }));
    applyEvent(f, ev(3, { type: 'task.submitted', attempt: 1, remoteTaskId: 'r' }));
    applyEvent(f, ev(2, { type: 'task.submitting', attempt: 1 }));
    const t = f.tasks.get('t1')!;
    expect(t.state).toBe('polling');
    expect(t.events.map((e) => e.seq)).toEqual([1, 2, 3]);
  });

  it('takes nested machine values from snapshots and keeps them until the state changes', () => {
    const f = emptyFeed();
    applySnapshot(f, { kind: 'task', taskId: 't1', state: 'polling', value: { polling: 'waiting' } });
    applyEvent(f, ev(5, { type: 'task.status', remoteState: 'generating', progress: 10 }));
    expect(f.tasks.get('t1')!.value).toEqual({ polling: 'waiting' });
    applyEvent(f, ev(6, { type: 'task.succeeded', remoteTaskId: 'r', resultUrls: [], attempts: 1 }));
    expect(f.tasks.get('t1')!.value).toBe('succeeded');
    applySnapshot(f, { kind: 'supervisor', value: 'throttled' });
    expect(f.supervisorValue).toBe('throttled');
  });

  it('does not let a late sample undo an end', () => {
    const f = emptyFeed();
    applyEvent(f, ev(9, { type: 'task.succeeded', remoteTaskId: 'r', resultUrls: [], attempts: 1 }));
    applySnapshot(f, { kind: 'task', taskId: 't1', state: 'polling', value: { polling: 'checking' } });
    expect(f.tasks.get('t1')!.state).toBe('succeeded');
    applyEvent(f, ev(10, { type: 'task.requeued' }));
    applySnapshot(f, { kind: 'task', taskId: 't1', state: 'submitting', value: 'submitting' });
    expect(f.tasks.get('t1')!.state).toBe('submitting');
  });

  it('keeps a bounded log per task', () => {
    const f = emptyFeed();
    for (let i = 1; i <= MAX_EVENTS_PER_TASK + 50; i++) applyEvent(f, ev(i, { type: 'task.status', remoteState: 'generating', progress: i % 100 }));
    const events = f.tasks.get('t1')!.events;
    expect(events).toHaveLength(MAX_EVENTS_PER_TASK);
    expect(events[0]!.seq).toBe(51);
  });
});
