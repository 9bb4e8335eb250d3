import type { TaskSpec } from '@clipfleet/engine';
import { describe, expect, it } from 'vitest';
import { buildCreateTaskBody } from './request.ts';

/** The body builder's envelope and refusals; every model's exact body is in mapping.test.ts. */

const spec = (over: Partial<TaskSpec> = {}): TaskSpec => ({
  taskId: 't1',
  batchId: 'b1',
  userId: 'u1',
  rowIndex: 0,
  model: 'sora-2',
  resolution: '720p',
  durationSec: 10,
  prompt: 'a cat on a skateboard',
  ...over,
});

const build = (task: TaskSpec, opts = {}) =>
  buildCreateTaskBody(task, { prompt: task.prompt ?? '', ...(task.aspectRatio ? { aspectRatio: task.aspectRatio } : {}), ...(task.imageUrls ? { imageUrls: task.imageUrls } : {}) }, opts);

describe('buildCreateTaskBody', () => {
  it('picks the family of the model: market nests `input`, veo is flat', () => {
    expect(build(spec())).toMatchObject({ ok: true, family: 'market', body: { model: 'sora-2-text-to-video', input: { n_frames: '10' } } });
    expect(build(spec({ model: 'veo-3.1-lite', durationSec: 8 }))).toMatchObject({ ok: true, family: 'veo', body: { model: 'veo3_lite', duration: 8 } });
  });
  it('adds callBackUrl; progressCallBackUrl only for market models', () => {
    const opts = { callBackUrl: 'https://h/kie/callback', progressCallBackUrl: 'https://h/kie/progress' };
    expect(build(spec(), opts)).toMatchObject({ ok: true, body: opts });
    const veo = build(spec({ model: 'veo-3.1', durationSec: 8 }), opts);
    expect(veo).toMatchObject({ ok: true, body: { callBackUrl: 'https://h/kie/callback' } });
    expect(veo.ok && 'progressCallBackUrl' in veo.body).toBe(false);
    const plain = build(spec());
    expect(plain.ok && 'callBackUrl' in plain.body).toBe(false);
  });
  it('refuses unsupported options and empty prompts without a request (422 naming the field)', () => {
    expect(build(spec({ resolution: '1080p' }))).toMatchObject({ ok: false, error: { code: 422, message: expect.stringContaining('not sent: resolution:') } });
    expect(build(spec({ model: 'veo' }))).toMatchObject({ ok: false, error: { code: 422, message: expect.stringContaining('unknown model') } });
    expect(build(spec({ durationSec: 12 }))).toMatchObject({ ok: false, error: { code: 422, message: expect.stringContaining('not sent: duration:') } });
    expect(build(spec({ prompt: '   ' }))).toMatchObject({ ok: false, error: { code: 422, message: 'not sent: prompt is empty' } });
  });
});
