import { describe, expect, it } from 'vitest';
import { SimGateway } from '../src/gateway.ts';
import { startKieSimServer } from '../src/http/server.ts';
import { newSim } from './helpers.ts';

/** The simulator knows every live model: it checks each request against the model's mapping, as KIE would. */

const kling = (input: Record<string, unknown>) => ({ model: 'kling-2.6/text-to-video', input: { prompt: 'a kite', duration: '5', aspect_ratio: '16:9', sound: false, ...input } });
const seedance = (input: Record<string, unknown>) => ({ model: 'bytedance/seedance-2-fast', input: { prompt: 'a kite', duration: 5, resolution: '720p', ...input } });
const veo = (body: Record<string, unknown>) => ({ model: 'veo3_fast', prompt: 'a kite', duration: 8, resolution: '720p', aspectRatio: '16:9', generationType: 'TEXT_2_VIDEO', ...body });

describe('per-model validation (market)', () => {
  it.each([
    ['Kling duration as a number', kling({ duration: 5 }), /^input\.duration: must be a string of seconds/],
    ['Kling 12 s', kling({ duration: '12' }), /^input\.duration: must be one of 5, 10/],
    ['Kling without sound', kling({ sound: undefined }), /^input\.sound: is required \(a boolean\)/],
    ['Kling with a ratio field', kling({ ratio: '16:9' }), /^input\.ratio: is not a field of kling-2\.6\/text-to-video/],
    ['Seedance duration as a string', seedance({ duration: '5' }), /^input\.duration: must be an integer number of seconds/],
    ['4k on Seedance Fast', seedance({ resolution: '4k' }), /^input\.resolution: must be one of 480p, 720p/],
    ['Seedance 16 s', seedance({ duration: 16 }), /^input\.duration: must be one of 4, 5/],
    ['Wan with aspect_ratio (it takes `ratio`)', { model: 'wan/2-7-text-to-video', input: { prompt: 'x', duration: 5, aspect_ratio: '16:9' } }, /^input\.aspect_ratio: is not a field/],
    ['Kling image-to-video with two images', { model: 'kling-2.6/image-to-video', input: { prompt: 'x', duration: '5', sound: false, image_urls: ['https://a/1', 'https://a/2'] } }, /^input\.image_urls: must hold 1 public/],
    ['Wan image-to-video frame as a list', { model: 'wan/2-7-image-to-video', input: { prompt: 'x', duration: 5, first_frame_url: ['https://a/1'] } }, /^input\.first_frame_url: must be one public http\(s\) image URL/],
  ])('%s -> 422 naming the field', (_what, body, msg) => {
    const { core } = newSim();
    const r = core.createTask('sim-key', body);
    expect(r.code).toBe(422);
    expect(r.msg).toMatch(msg);
  });

  it('an id KIE does not serve answers with KIE\'s words', () => {
    const { core } = newSim();
    expect(core.createTask('sim-key', { model: 'sora-3-text-to-video', input: { prompt: 'x' } })).toEqual({ code: 422, msg: 'The page does not exist or is not published', data: null });
    // Veo's ids are not Market ids
    expect(core.createTask('sim-key', { model: 'veo3', input: { prompt: 'x' } }).msg).toBe('The page does not exist or is not published');
  });

  it('a valid request is priced from the catalog and timed by the stated assumption', () => {
    const { core } = newSim();
    const r = core.createTask('sim-key', seedance({ first_frame_url: 'https://a/f.png', last_frame_url: 'https://a/l.png', aspect_ratio: 'adaptive' }));
    expect(r.code).toBe(200);
    const task = core.task(r.data!.taskId)!;
    expect(task).toMatchObject({ family: 'market', credits: 83, job: { model: 'seedance-2-fast', resolution: '720p', durationSec: 5 } });
    expect(task.body.mode).toBe('imageToVideo');
    expect(r.data!.taskId).toMatch(/^task_bytedance-seedance-2-fast_/);
  });
});

describe('Veo 3.1 endpoints', () => {
  it('generate -> record-info: "record is null", then successFlag 0, then 1 with the result; jobs/recordInfo does not know it', () => {
    const { clock, core } = newSim();
    const r = core.createTask('sim-key', veo({}), {}, 'veo');
    expect(r.code).toBe(200);
    const id = r.data!.taskId;
    expect(core.veoRecordInfo('sim-key', id)).toEqual({ code: 422, msg: 'record is null', data: null });
    expect(core.recordInfo('sim-key', id).code).toBe(404);
    const task = core.task(id)!;
    clock.advanceTo(task.generatingAt);
    expect(core.veoRecordInfo('sim-key', id).data).toMatchObject({ taskId: id, successFlag: 0, response: null });
    clock.advanceTo(task.completeAt);
    const done = core.veoRecordInfo('sim-key', id).data!;
    expect(done).toMatchObject({ successFlag: 1, errorCode: null, response: { resultUrls: [expect.stringMatching(/\.mp4$/)], resolution: '720p' } });
    expect(JSON.parse(done.paramJson)).toEqual(veo({}));
    expect(task.credits).toBe(30);
  });

  it('checks Veo bodies flat: generationType per mode, imageUrls 1-2, 4/6/8 s', () => {
    const { core } = newSim();
    const bad = (body: Record<string, unknown>) => core.createTask('sim-key', body, {}, 'veo').msg;
    expect(bad(veo({ duration: 5 }))).toMatch(/^duration: must be one of 4, 6, 8/);
    // generationType says text-to-video: images are not a field of that mode
    expect(bad(veo({ imageUrls: ['https://a/1'] }))).toMatch(/^imageUrls: is not a field of veo3_fast \(text-to-video\)/);
    expect(bad(veo({ generationType: 'REFERENCE_2_VIDEO' }))).toMatch(/^generationType: must be "TEXT_2_VIDEO"/);
    expect(bad(veo({ generationType: 'FIRST_AND_LAST_FRAMES_2_VIDEO', imageUrls: ['https://a/1', 'https://a/2', 'https://a/3'] }))).toMatch(/^imageUrls: must hold 1-2/);
    expect(bad(veo({ aspectRatio: '1:1' }))).toMatch(/^aspectRatio: must be one of 16:9, 9:16, Auto/);
    expect(bad(veo({ aspect_ratio: '16:9' }))).toMatch(/^aspect_ratio: is not a field of veo3_fast/);
    expect(bad({ ...veo({}), input: { prompt: 'nested' } })).toMatch(/^input: is not a field of veo3_fast/);
    expect(core.createTask('sim-key', veo({ generationType: 'FIRST_AND_LAST_FRAMES_2_VIDEO', imageUrls: ['https://a/1', 'https://a/2'] }), {}, 'veo').code).toBe(200);
  });

  it('the in-process gateway routes Veo tasks to Veo endpoints and reads successFlag', async () => {
    const { clock, core } = newSim();
    const gateway = new SimGateway(core);
    const spec = { taskId: 't', batchId: 'b', userId: 'u', rowIndex: 0, model: 'veo-3.1-lite', resolution: '4k', durationSec: 4, prompt: 'x' };
    const created = await gateway.createTask({ task: spec, attempt: 1, accountId: 'default' });
    if (!created.ok) throw new Error(created.error.message);
    expect(core.task(created.remoteTaskId)!.family).toBe('veo');
    clock.advanceTo(core.task(created.remoteTaskId)!.completeAt);
    expect(await gateway.getTask(created.remoteTaskId, spec)).toMatchObject({ ok: true, status: { state: 'success', resultUrls: [expect.any(String)] } });
  });

  it('over HTTP: POST /api/v1/veo/generate and GET /api/v1/veo/record-info', async () => {
    const sim = await startKieSimServer({ port: 0, timeScale: 1000, apiKeys: ['k'] });
    try {
      const headers = { authorization: 'Bearer k', 'content-type': 'application/json' };
      const created = (await (await fetch(`${sim.url}/api/v1/veo/generate`, { method: 'POST', headers, body: JSON.stringify(veo({})) })).json()) as { code: number; data: { taskId: string } };
      expect(created.code).toBe(200);
      const rec = await (await fetch(`${sim.url}/api/v1/veo/record-info?taskId=${created.data.taskId}`, { headers })).json();
      expect([200, 422]).toContain((rec as { code: number }).code);
      const wrong = await (await fetch(`${sim.url}/api/v1/jobs/recordInfo?taskId=${created.data.taskId}`, { headers })).json();
      expect(wrong).toMatchObject({ code: 404 });
    } finally {
      await sim.close();
    }
  });
});
