import type { TaskSpec } from '@clipfleet/engine';
import { describe, expect, it } from 'vitest';
import { buildCreateTaskBody } from './request.ts';

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
  buildCreateTaskBody(task, { prompt: task.prompt ?? '', ...(task.aspectRatio ? { aspectRatio: task.aspectRatio } : {}), ...(task.imageUrl ? { imageUrl: task.imageUrl } : {}) }, opts);

describe('buildCreateTaskBody', () => {
  it('sora-2 text-to-video: model id, n_frames as a string, default landscape, no size', () => {
    expect(build(spec())).toEqual({
      ok: true,
      body: { model: 'sora-2-text-to-video', input: { prompt: 'a cat on a skateboard', aspect_ratio: 'landscape', n_frames: '10' } },
    });
  });
  it('sora-2 image-to-video: image model and exactly one image URL', () => {
    const r = build(spec({ imageUrl: 'https://img.example/a.png', aspectRatio: 'portrait', durationSec: 15 }));
    expect(r).toEqual({
      ok: true,
      body: {
        model: 'sora-2-image-to-video',
        input: { prompt: 'a cat on a skateboard', aspect_ratio: 'portrait', n_frames: '15', image_urls: ['https://img.example/a.png'] },
      },
    });
  });
  it('Pro always sends size: 720p -> standard, 1080p -> high, for text and image', () => {
    const cases = [
      [{ resolution: '720p' }, 'sora-2-pro-text-to-video', 'standard'],
      [{ resolution: '1080p' }, 'sora-2-pro-text-to-video', 'high'],
      [{ resolution: '720p', imageUrl: 'https://i/x.jpg' }, 'sora-2-pro-image-to-video', 'standard'],
      [{ resolution: '1080p', imageUrl: 'https://i/x.jpg' }, 'sora-2-pro-image-to-video', 'high'],
    ] as const;
    for (const [over, model, size] of cases) {
      const r = build(spec({ model: 'sora-2-pro', ...over }));
      if (!r.ok) throw new Error(r.error.message);
      expect(r.body.model).toBe(model);
      expect(r.body.input.size).toBe(size);
      expect(typeof r.body.input.n_frames).toBe('string');
    }
  });
  it('adds callBackUrl / progressCallBackUrl only when given', () => {
    const r = build(spec(), { callBackUrl: 'https://h/kie/callback', progressCallBackUrl: 'https://h/kie/progress' });
    expect(r).toMatchObject({ ok: true, body: { callBackUrl: 'https://h/kie/callback', progressCallBackUrl: 'https://h/kie/progress' } });
    const plain = build(spec());
    expect(plain.ok && 'callBackUrl' in plain.body).toBe(false);
  });
  it('refuses unsupported combinations and empty prompts without a request (422)', () => {
    expect(build(spec({ resolution: '1080p' }))).toMatchObject({ ok: false, error: { code: 422, message: expect.stringContaining('resolution') } });
    expect(build(spec({ model: 'veo' }))).toMatchObject({ ok: false, error: { code: 422, message: expect.stringContaining('unknown model') } });
    expect(build(spec({ durationSec: 12 }))).toMatchObject({ ok: false, error: { code: 422 } });
    expect(build(spec({ prompt: '   ' }))).toMatchObject({ ok: false, error: { code: 422, message: 'not sent: prompt is empty' } });
  });
});
