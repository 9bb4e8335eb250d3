import { describe, expect, it } from 'vitest';
import { POLICY_FAIL_MSG } from '../src/profiles/faults.ts';
import { createBody, newSim } from './helpers.ts';

describe('SimKie quirks', () => {
  it('allows 20 creates per 10 s per account, then 429 without queueing; the window slides', () => {
    const { clock, core } = newSim({ apiKeys: ['a', 'b'] });
    const codes: number[] = [];
    for (let i = 0; i < 25; i++) codes.push(core.createTask('a', createBody()).code);
    expect(codes.filter((c) => c === 200)).toHaveLength(20);
    expect(codes.slice(20)).toEqual([429, 429, 429, 429, 429]);
    expect(core.createTask('b', createBody()).code).toBe(200); // per account
    expect(core.stats().accounts.a).toMatchObject({ createCalls: 25, created: 20, createCodes: { 200: 20, 429: 5 } });
    clock.advanceTo(9_999);
    expect(core.createTask('a', createBody()).code).toBe(429);
    clock.advanceTo(10_000);
    expect(core.createTask('a', createBody()).code).toBe(200);
  });

  it('answers "recordInfo is null" for the first seconds, then walks waiting -> queuing -> generating -> success', () => {
    const { clock, core } = newSim();
    const created = core.createTask('sim-key', createBody());
    expect(created.code).toBe(200);
    const taskId = created.data!.taskId;
    expect(taskId).toMatch(/^task_sora-2-pro-text-to-video_\d+$/);
    expect(core.recordInfo('sim-key', taskId)).toEqual({ code: 422, msg: 'recordInfo is null', data: null });
    const task = core.task(taskId)!;
    expect(task.visibleAt).toBeGreaterThanOrEqual(1_000);
    expect(task.visibleAt).toBeLessThanOrEqual(4_000);

    const seen: string[] = [];
    let lastProgress = -1;
    for (let t = task.visibleAt; t <= task.completeAt + 1_000; t += 500) {
      clock.advanceTo(t);
      const r = core.recordInfo('sim-key', taskId);
      expect(r.code).toBe(200);
      const rec = r.data!;
      if (seen.at(-1) !== rec.state) seen.push(rec.state);
      expect(rec.progress).toBeGreaterThanOrEqual(lastProgress);
      lastProgress = rec.progress;
    }
    expect(seen).toEqual(['waiting', 'queuing', 'generating', 'success']);
    const final = core.recordInfo('sim-key', taskId).data!;
    expect(final.progress).toBe(100);
    expect(typeof final.resultJson).toBe('string');
    expect(JSON.parse(final.resultJson)).toEqual({
      resultUrls: [`https://sim.kie.local/files/${taskId}.mp4`],
      resultWaterMarkUrls: [`https://sim.kie.local/files/${taskId}-wm.mp4`],
    });
    expect(typeof final.param).toBe('string');
    expect(JSON.parse(final.param).input.n_frames).toBe('15');
    expect(final.completeTime! - final.createTime).toBe(task.completeAt - task.createdAt);
  });

  it('seed latency: 720p ~72 s and 1080p ~297 s of generation (75 s / 302 s as the seed saw them)', () => {
    const { core } = newSim({ createLimit: 1_000 });
    const mean = (size: string) => {
      const ids = Array.from({ length: 200 }, () => core.createTask('sim-key', createBody({}, { size })).data!.taskId);
      return ids.reduce((s, id) => s + core.task(id)!.completeAt, 0) / ids.length / 1000;
    };
    expect(mean('standard')).toBeGreaterThan(70);
    expect(mean('standard')).toBeLessThan(74);
    expect(mean('high')).toBeGreaterThan(290);
    expect(mean('high')).toBeLessThan(304);
  });

  it('validates bodies with a 422 naming the field, and auth with 401', () => {
    const { core } = newSim();
    const cases: Array<[Record<string, unknown>, string]> = [
      [createBody({}, { prompt: 'x'.repeat(10_001) }), 'input.prompt'],
      [createBody({}, { prompt: '' }), 'input.prompt'],
      [createBody({}, { n_frames: 15 }), 'input.n_frames'],
      [createBody({}, { n_frames: '20' }), 'input.n_frames'],
      [createBody({}, { size: '4k' }), 'input.size'],
      [createBody({ model: 'sora-2-text-to-video' }, { size: 'high' }), 'input.size'],
      [createBody({ model: 'sora-2-image-to-video' }, { size: undefined }), 'input.image_urls'],
      [createBody({ model: 'sora-2-text-to-video' }, { size: undefined, image_urls: ['https://x/y.png'] }), 'input.image_urls'],
      [createBody({}, { aspect_ratio: 'square' }), 'input.aspect_ratio'],
    ];
    for (const [body, field] of cases) {
      const r = core.createTask('sim-key', body);
      expect(r.code, field).toBe(422);
      expect(r.msg.startsWith(`${field}:`), r.msg).toBe(true);
    }
    // A model id KIE does not serve: its own words, no field prefix.
    expect(core.createTask('sim-key', createBody({ model: 'sora-3' }))).toEqual({ code: 422, msg: 'The page does not exist or is not published', data: null });
    expect(core.createTask('sim-key', createBody({ model: 'sora-2-image-to-video' }, { size: undefined, image_urls: ['https://x/y.png'] })).code).toBe(200);
    expect(core.createTask(undefined, createBody()).code).toBe(401);
    expect(core.createTask('wrong', createBody()).code).toBe(401);
    expect(core.recordInfo('wrong', 'x').code).toBe(401);
    expect(core.recordInfo('sim-key', undefined).code).toBe(400);
    expect(core.recordInfo('sim-key', 'task_nope').code).toBe(404);
  });

  it('injected faults force the next answer, for every documented code', () => {
    const { clock, core } = newSim();
    for (const code of [400, 402, 404, 408, 422, 429, 433, 455, 500, 501, 505]) {
      core.injectFault({ op: 'create', code });
      expect(core.createTask('sim-key', createBody()).code).toBe(code);
    }
    const id = core.createTask('sim-key', createBody()).data!.taskId;
    clock.advanceTo(5_000);
    core.injectFault({ op: 'query', code: 408, times: 2 });
    expect(core.recordInfo('sim-key', id).code).toBe(408);
    expect(core.recordInfo('sim-key', id).code).toBe(408);
    expect(core.recordInfo('sim-key', id).code).toBe(200);
    core.injectFault({ op: 'query', code: 501, msg: 'boom' });
    const failed = core.recordInfo('sim-key', id);
    expect(failed).toMatchObject({ code: 501, data: { state: 'fail', failCode: '501', failMsg: 'boom' } });
    expect(core.recordInfo('sim-key', id).data).toMatchObject({ state: 'fail' });
  });

  it('402 when an account runs out of credits; failed generations are refunded', () => {
    const { core } = newSim({ creditsPerAccount: 100 });
    expect(core.createTask('sim-key', createBody()).code).toBe(200); // 60 credits
    expect(core.createTask('sim-key', createBody()).code).toBe(402);
  });
});

describe('fault profiles', () => {
  it('flaky: transient 500s on calls and retryable 501 generation failures', () => {
    const { clock, core } = newSim({ faults: 'flaky:20', createLimit: 10_000 });
    let create500 = 0;
    const ids: string[] = [];
    for (let i = 0; i < 500; i++) {
      const r = core.createTask('sim-key', createBody(), { key: `t${i}#1` });
      if (r.code === 500) create500++;
      else ids.push(r.data!.taskId);
    }
    expect(create500).toBeGreaterThan(60);
    expect(create500).toBeLessThan(140);
    clock.advanceTo(3_600_000);
    const answers = ids.map((id) => core.recordInfo('sim-key', id));
    const query500 = answers.filter((a) => a.code === 500).length;
    expect(query500).toBeGreaterThan(40);
    const fails = answers.filter((a) => a.code === 200 && a.data!.state === 'fail');
    expect(fails.length).toBeGreaterThan(40);
    for (const f of fails) expect(f.data).toMatchObject({ failCode: '501', failMsg: expect.not.stringContaining('policy') });
  });

  it('policy: refusals name the content policy, early, and the same prompt is refused again', () => {
    const { clock, core } = newSim({ faults: 'policy:30', createLimit: 10_000 });
    const prompts = Array.from({ length: 200 }, (_, i) => `prompt ${i}`);
    const first = prompts.map((p) => core.createTask('sim-key', createBody({}, { prompt: p })).data!.taskId);
    const again = prompts.map((p) => core.createTask('sim-key', createBody({}, { prompt: p })).data!.taskId);
    clock.advanceTo(3_600_000);
    const refused = (id: string) => core.recordInfo('sim-key', id).data!.failMsg === POLICY_FAIL_MSG;
    const firstRefused = first.map(refused);
    expect(firstRefused.filter(Boolean).length).toBeGreaterThan(35);
    expect(again.map(refused)).toEqual(firstRefused);
    const one = core.task(first[firstRefused.indexOf(true)]!)!;
    expect(one.completeAt - one.createdAt).toBeLessThan(40_000);
    // Progress freezes where generation stopped: an early refusal is far from 99 %.
    expect(core.recordInfo('sim-key', one.taskId).data!.progress).toBeLessThan(50);
  });

  it('outage: 455 inside the window only; auth: 401 after revocation', () => {
    const { clock, core } = newSim({ faults: { outage: { startMs: 1_000, durationMs: 2_000 }, auth: { revokeAtMs: 10_000 } } });
    expect(core.createTask('sim-key', createBody()).code).toBe(200);
    clock.advanceTo(1_000);
    expect(core.createTask('sim-key', createBody()).code).toBe(455);
    expect(core.recordInfo('sim-key', 'anything').code).toBe(455);
    clock.advanceTo(3_000);
    expect(core.createTask('sim-key', createBody()).code).toBe(200);
    clock.advanceTo(10_000);
    expect(core.createTask('sim-key', createBody()).code).toBe(401);
  });

  it('overload: 429 bursts and slower generation with many tasks running', () => {
    const { clock, core } = newSim({
      faults: { overload: { burstEveryMs: 60_000, burstLengthMs: 60_000, burstRejectRate: 0.5, slowdownAbove: 10, slowdownPerTask: 0.05 } },
      createLimit: 10_000,
    });
    const codes = Array.from({ length: 200 }, () => core.createTask('sim-key', createBody()));
    expect(codes.filter((c) => c.code === 429).length).toBeGreaterThan(60);
    const accepted = codes.filter((c) => c.code === 200).map((c) => core.task(c.data!.taskId)!);
    const first = accepted[0]!;
    const last = accepted.at(-1)!;
    expect(last.completeAt - last.createdAt).toBeGreaterThan(2 * (first.completeAt - first.createdAt));
    clock.advanceTo(1);
  });

  it('combines named profiles and rejects unknown ones', async () => {
    const { parseFaults } = await import('../src/profiles/faults.ts');
    const p = parseFaults('flaky,policy:5,outage');
    expect(p.flaky.generationFailureRate).toBe(0.1);
    expect(p.policy.rate).toBe(0.05);
    expect(p.outage).not.toBeNull();
    expect(parseFaults('none')).toEqual(parseFaults(undefined));
    expect(() => parseFaults('gremlins')).toThrow(/unknown fault profile/);
  });
});

describe('determinism', () => {
  it('same seed and same calls give identical answers and stats', () => {
    const run = (seed: number) => {
      const { clock, core } = newSim({ seed, faults: 'flaky,policy', createLimit: 10_000 });
      const ids = Array.from({ length: 50 }, (_, i) => core.createTask('sim-key', createBody({}, { prompt: `p${i}` }), { key: `t${i}#1` }).data?.taskId);
      clock.advanceTo(200_000);
      const records = ids.map((id) => (id ? core.recordInfo('sim-key', id) : null));
      return JSON.stringify({ records, stats: core.stats() });
    };
    expect(run(3)).toBe(run(3));
    expect(run(3)).not.toBe(run(4));
  });

  it('a task fate depends on its key, not on call order', () => {
    const fates = (order: number[]) => {
      const { core } = newSim({ faults: 'flaky', createLimit: 10_000 });
      const out: Record<number, unknown> = {};
      for (const i of order) {
        const r = core.createTask('sim-key', createBody(), { key: `t${i}#1` });
        const t = r.data ? core.task(r.data.taskId)! : null;
        out[i] = t ? [t.completeAt - t.createdAt, t.outcome.kind] : r.code;
      }
      return out;
    };
    expect(fates([0, 1, 2, 3, 4, 5, 6, 7])).toEqual(fates([7, 6, 5, 4, 3, 2, 1, 0]));
  });
});
