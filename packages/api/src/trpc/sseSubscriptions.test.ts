import { tracked } from '@trpc/server';
import { describe, expect, it } from 'vitest';
import { SseFraming } from './sseSubscriptions.ts';

describe('SseFraming', () => {
  const framing = new SseFraming((data) => JSON.stringify(data));

  it('frames a tracked value with its id and anything else without one', () => {
    expect(framing.message(tracked('7', { seq: 7 })).toString()).toBe('data: {"seq":7}\nid: 7\n\n');
    expect(framing.message({ a: 1 }).toString()).toBe('data: {"a":1}\n\n');
    expect(framing.message(3).toString()).toBe('data: 3\n\n');
    expect(framing.error({ message: 'no' }).toString()).toBe('event: serialized-error\ndata: {"message":"no"}\n\n');
  });

  it('encodes an object yielded by many streams once: the same bytes for each, unless its id differs', () => {
    const event = { type: 'task.queued', seq: 5 };
    const first = framing.message(tracked('5', event));
    expect(framing.message(tracked('5', event))).toBe(first);
    expect(framing.message(tracked('5', { ...event }))).not.toBe(first);
    expect(framing.message(tracked('6', event)).toString()).toBe('data: {"type":"task.queued","seq":5}\nid: 6\n\n');
  });
});
