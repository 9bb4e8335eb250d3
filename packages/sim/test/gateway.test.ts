import type { TaskSpec } from '@clipfleet/engine';
import { describe, expect, it } from 'vitest';
import { SimGateway, toGetTaskResult } from '../src/gateway.ts';
import { newSim } from './helpers.ts';

const spec = (over: Partial<TaskSpec> = {}): TaskSpec => ({
  taskId: 't1', batchId: 'b1', userId: 'u1', rowIndex: 0, model: 'sora-2-pro', resolution: '1080p', durationSec: 15, prompt: 'a fox', ...over,
});

describe('SimGateway (in-process KieGateway)', () => {
  it('maps a task to KIE’s body: model id, size, n_frames as a string, image URL for image-to-video', async () => {
    const { core } = newSim();
    const gateway = new SimGateway(core);
    const pro = await gateway.createTask({ task: spec(), attempt: 1, accountId: 'default' });
    const i2v = await gateway.createTask({ task: spec({ taskId: 't2', model: 'sora-2', resolution: '720p', durationSec: 10, imageUrls: ['https://x/y.png'] }), attempt: 1, accountId: 'default' });
    expect(pro.ok && i2v.ok).toBe(true);
    if (!pro.ok || !i2v.ok) return;
    expect(core.task(pro.remoteTaskId)!.body.raw).toMatchObject({ model: 'sora-2-pro-text-to-video', input: { size: 'high', n_frames: '15', prompt: 'a fox' } });
    expect(core.task(i2v.remoteTaskId)!.body.raw).toEqual({
      model: 'sora-2-image-to-video',
      input: { prompt: 'a fox', aspect_ratio: 'landscape', n_frames: '10', image_urls: ['https://x/y.png'] },
    });
    expect(core.stats().createCallsByKey).toEqual({ 't1#1': 1, 't2#1': 1 });
  });

  it('an unsupported combination is a 422 result, never a throw', async () => {
    const { core } = newSim();
    const result = await new SimGateway(core).createTask({ task: spec({ model: 'sora-2', resolution: '1080p' }), attempt: 1, accountId: 'default' });
    expect(result).toMatchObject({ ok: false, error: { code: 422 } });
  });

  it('maps answers: body codes become errors, data:null is "not there yet", resultJson is parsed', async () => {
    const { clock, core } = newSim();
    const gateway = new SimGateway(core);
    const created = await gateway.createTask({ task: spec({ resolution: '720p' }), attempt: 1, accountId: 'default' });
    if (!created.ok) throw new Error('create failed');
    expect(await gateway.getTask(created.remoteTaskId)).toEqual({ ok: false, error: { code: 422, message: 'recordInfo is null' } });
    expect(toGetTaskResult({ code: 200, msg: 'success', data: null })).toEqual({ ok: false, error: { code: 422, message: 'recordInfo is null' } });
    clock.advanceTo(core.task(created.remoteTaskId)!.completeAt);
    const done = await gateway.getTask(created.remoteTaskId);
    expect(done).toMatchObject({ ok: true, status: { state: 'success', progress: 100, resultUrls: [`https://sim.kie.local/files/${created.remoteTaskId}.mp4`] } });
    core.injectFault({ op: 'query', code: 455 });
    expect(await gateway.getTask(created.remoteTaskId)).toMatchObject({ ok: false, error: { code: 455 } });
  });
});
