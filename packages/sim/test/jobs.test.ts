import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { validateCreateBody } from '../src/validate.ts';
import { createBody, newSim } from './helpers.ts';

const veoBody = (prompt: string) => ({ model: 'veo3_fast', prompt, duration: 8, resolution: '720p', aspectRatio: '16:9', generationType: 'TEXT_2_VIDEO' });

describe('compact job records', () => {
  // Any prompt (quotes, escapes, unicode, the text of another field): the record echoes the request byte for byte.
  const prompts = fc.oneof(fc.string({ minLength: 1, maxLength: 200, unit: 'binary' }), fc.constantFrom('landscape', 'standard', '15', 'a"b', 'x\\"'));
  test.prop([prompts.filter((p) => p.trim() !== ''), fc.boolean()])(
    'param is the request as sent and body is what validation made of it, for Market and Veo',
    (prompt, veo) => {
      const { core } = newSim();
      const raw = veo ? veoBody(prompt) : createBody({ callBackUrl: 'https://cb.example/kie' }, { prompt });
      const family = veo ? 'veo' : 'market';
      const answer = core.createTask('sim-key', raw, {}, family);
      expect(answer.code).toBe(200);
      const job = core.task(answer.data!.taskId)!;
      expect(job.param).toBe(JSON.stringify(raw));
      const valid = validateCreateBody(raw, family);
      expect(valid.ok && job.body).toEqual(valid.ok && valid.body);
    },
  );

  it('jobs of the same kind of request share one shape; a prompt also found elsewhere in the request keeps its whole param', () => {
    const { core } = newSim();
    const a = core.task(core.createTask('sim-key', createBody({}, { prompt: 'one' })).data!.taskId)!;
    const b = core.task(core.createTask('sim-key', createBody({}, { prompt: 'two' })).data!.taskId)!;
    expect(a.job).toBe(b.job);
    const odd = createBody({}, { prompt: 'landscape' });
    const c = core.task(core.createTask('sim-key', odd).data!.taskId)!;
    expect(c.param).toBe(JSON.stringify(odd));
    expect(c.body.prompt).toBe('landscape');
    expect((c as unknown as { shape: { after: string | null } }).shape.after).toBeNull();
  });
});
