import type { TaskSpec } from '@clipfleet/engine';
import { describe, expect, it } from 'vitest';
import { createKieHttpGateway } from './client.ts';
import { parseKieCallback } from './parse.ts';

/** Veo 3.1's status endpoint and callbacks, in the shapes kie-models.md documents. */

const veoTask: TaskSpec = { taskId: 't', batchId: 'b', userId: 'u', rowIndex: 0, model: 'veo-3.1-fast', resolution: '720p', durationSec: 8 };

function answering(body: unknown): { fetch: typeof fetch; urls: string[] } {
  const urls: string[] = [];
  const f = (async (url: string | URL | Request) => {
    urls.push(String(url));
    return new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } });
  }) as typeof fetch;
  return { fetch: f, urls };
}

const record = (over: Record<string, unknown>) => ({
  code: 200,
  msg: 'success',
  data: { taskId: 'veo_1', paramJson: '{}', completeTime: null, response: null, successFlag: 0, errorCode: null, errorMessage: '', createTime: '2026-06-06 10:25:00', fallbackFlag: false, ...over },
});

describe('veo getTask', () => {
  it('asks veo/record-info (not jobs/recordInfo) for a Veo task and reads successFlag', async () => {
    const a = answering(record({}));
    const gw = createKieHttpGateway({ baseUrl: 'https://kie.test', apiKey: 'k', fetch: a.fetch });
    expect(await gw.getTask('veo_1', veoTask)).toMatchObject({ ok: true, status: { state: 'generating', createTime: Date.parse('2026-06-06 10:25:00') } });
    expect(a.urls).toEqual(['https://kie.test/api/v1/veo/record-info?taskId=veo_1']);

    const done = answering(record({ successFlag: 1, completeTime: 1765183563848, response: { taskId: 'veo_1', resultUrls: ['https://r/1.mp4'], originUrls: [], resolution: '720p' } }));
    expect(await createKieHttpGateway({ baseUrl: 'https://kie.test', apiKey: 'k', fetch: done.fetch }).getTask('veo_1', veoTask)).toEqual({
      ok: true,
      status: { state: 'success', resultUrls: ['https://r/1.mp4'], createTime: Date.parse('2026-06-06 10:25:00'), completeTime: 1765183563848 },
    });
  });

  it('successFlag 2 and 3 are failures with the error message; "record is null" is not-yet-there (422)', async () => {
    for (const flag of [2, 3]) {
      const a = answering(record({ successFlag: flag, errorMessage: 'content policy violation' }));
      expect(await createKieHttpGateway({ baseUrl: 'https://kie.test', apiKey: 'k', fetch: a.fetch }).getTask('veo_1', veoTask)).toMatchObject({
        ok: true,
        status: { state: 'fail', failCode: 501, failMsg: 'content policy violation' },
      });
    }
    const nul = answering({ code: 422, msg: 'record is null', data: null });
    expect(await createKieHttpGateway({ baseUrl: 'https://kie.test', apiKey: 'k', fetch: nul.fetch }).getTask('veo_1', veoTask)).toEqual({ ok: false, error: { code: 422, message: 'record is null' } });
    const odd = answering(record({ successFlag: 7 }));
    expect(await createKieHttpGateway({ baseUrl: 'https://kie.test', apiKey: 'k', fetch: odd.fetch }).getTask('veo_1', veoTask)).toMatchObject({ ok: false, error: { code: 0 } });
  });

  it('a Market task (or none) still goes to jobs/recordInfo', async () => {
    const a = answering({ code: 200, msg: 'success', data: { taskId: 'x', state: 'queuing' } });
    const gw = createKieHttpGateway({ baseUrl: 'https://kie.test', apiKey: 'k', fetch: a.fetch });
    await gw.getTask('x', { ...veoTask, model: 'wan-2.7' });
    await gw.getTask('x');
    expect(a.urls).toEqual(['https://kie.test/api/v1/jobs/recordInfo?taskId=x', 'https://kie.test/api/v1/jobs/recordInfo?taskId=x']);
  });
});

describe('veo callbacks', () => {
  it('success: data.info carries the result URLs', () => {
    expect(parseKieCallback({ code: 200, msg: 'success', data: { taskId: 'veo_1', info: { resultUrls: ['https://r/1.mp4'], originUrls: [], resolution: '1080p' }, fallbackFlag: false } })).toEqual({
      ok: true,
      remoteTaskId: 'veo_1',
      status: { state: 'success', resultUrls: ['https://r/1.mp4'] },
      code: 200,
    });
  });
  it('failure: the body code and message, data has only the task id', () => {
    expect(parseKieCallback({ code: 501, msg: 'generation failed', data: { taskId: 'veo_1' } })).toEqual({
      ok: true,
      remoteTaskId: 'veo_1',
      status: { state: 'fail', failCode: 501, failMsg: 'generation failed' },
      code: 501,
    });
  });
});

describe('veo callbacks as the simulator sends them', () => {
  it('parse to the status the record-info answer gives', async () => {
    const { DiscreteEventClock, SimKie } = await import('@clipfleet/sim');
    const clock = new DiscreteEventClock();
    const core = new SimKie({ clock, seed: 2, callbackDelayMs: [0, 0] });
    const bodies: unknown[] = [];
    core.onCallback((_task, body) => bodies.push(body));
    const r = core.createTask('sim-key', { model: 'veo3_lite', prompt: 'x', duration: 4, resolution: '720p', generationType: 'TEXT_2_VIDEO', callBackUrl: 'https://me/kie/callback' }, {}, 'veo');
    await clock.runUntil(() => bodies.length > 0);
    expect(bodies).toHaveLength(1);
    const parsed = parseKieCallback(bodies[0]);
    expect(parsed).toMatchObject({ ok: true, remoteTaskId: r.data!.taskId, status: { state: 'success', resultUrls: [expect.stringContaining(r.data!.taskId)] } });
  });
});
