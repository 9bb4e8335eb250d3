import type { TaskSpec } from '@clipfleet/engine';
import { describe, expect, it } from 'vitest';
import { createKieHttpGateway } from './client.ts';

/**
 * The exact JSON each model's create request carries (field names and types: `"5"` vs `5`, `ratio` vs
 * `aspect_ratio`, `image_urls` vs `first_frame_url`), through the real client and its family adapter.
 */

interface Sent {
  url: string;
  body: unknown;
}

function capture(): { fetch: typeof fetch; sent: Sent[] } {
  const sent: Sent[] = [];
  const f = (async (url: string | URL | Request, init?: RequestInit) => {
    sent.push({ url: String(url), body: JSON.parse(String(init?.body)) });
    return new Response(JSON.stringify({ code: 200, msg: 'success', data: { taskId: 'task_1' } }), { headers: { 'content-type': 'application/json' } });
  }) as typeof fetch;
  return { fetch: f, sent };
}

const task = (over: Partial<TaskSpec>): TaskSpec => ({ taskId: 't', batchId: 'b', userId: 'u', rowIndex: 0, model: '', resolution: '', durationSec: 0, prompt: 'a red kite', ...over });

async function sentFor(over: Partial<TaskSpec>, callBackUrl?: string): Promise<Sent> {
  const { fetch, sent } = capture();
  const gw = createKieHttpGateway({ baseUrl: 'https://kie.test', apiKey: 'k', fetch, ...(callBackUrl ? { callBackUrl } : {}) });
  const r = await gw.createTask({ task: task(over), attempt: 1, accountId: 'default' });
  expect(r).toEqual({ ok: true, remoteTaskId: 'task_1' });
  expect(sent).toHaveLength(1);
  return sent[0]!;
}

const MARKET = 'https://kie.test/api/v1/jobs/createTask';
const VEO = 'https://kie.test/api/v1/veo/generate';
const img = 'https://img.example/first.png';
const last = 'https://img.example/last.png';

describe('market adapter: the exact createTask body per model', () => {
  it.each([
    [
      'Kling 2.6 text: duration as a string, sound fixed false, default aspect 16:9',
      { model: 'kling-2.6', resolution: '1080p', durationSec: 5 },
      { model: 'kling-2.6/text-to-video', input: { prompt: 'a red kite', duration: '5', aspect_ratio: '16:9', sound: false } },
    ],
    [
      'Kling 2.6 image: image_urls with one URL, no aspect field',
      { model: 'kling-2.6', resolution: '1080p', durationSec: 10, imageUrls: [img] },
      { model: 'kling-2.6/image-to-video', input: { prompt: 'a red kite', duration: '10', image_urls: [img], sound: false } },
    ],
    [
      'Kling 3.0 Turbo text: resolution field, string duration',
      { model: 'kling-3.0-turbo', resolution: '1080p', durationSec: 12, aspectRatio: '9:16' },
      { model: 'kling/v3-turbo-text-to-video', input: { prompt: 'a red kite', duration: '12', resolution: '1080p', aspect_ratio: '9:16' } },
    ],
    [
      'Kling 3.0 Turbo image',
      { model: 'kling-3.0-turbo', resolution: '720p', durationSec: 3, imageUrls: [img] },
      { model: 'kling/v3-turbo-image-to-video', input: { prompt: 'a red kite', duration: '3', resolution: '720p', image_urls: [img] } },
    ],
    [
      'Seedance 2.0 text: duration as an integer',
      { model: 'seedance-2', resolution: '1080p', durationSec: 8, aspectRatio: '21:9' },
      { model: 'bytedance/seedance-2', input: { prompt: 'a red kite', duration: 8, resolution: '1080p', aspect_ratio: '21:9' } },
    ],
    [
      'Seedance 2.0 first and last frame: two string fields',
      { model: 'seedance-2', resolution: '720p', durationSec: 4, imageUrls: [img, last] },
      { model: 'bytedance/seedance-2', input: { prompt: 'a red kite', duration: 4, resolution: '720p', aspect_ratio: 'adaptive', first_frame_url: img, last_frame_url: last } },
    ],
    [
      'Seedance 2.0 Fast',
      { model: 'seedance-2-fast', resolution: '480p', durationSec: 15 },
      { model: 'bytedance/seedance-2-fast', input: { prompt: 'a red kite', duration: 15, resolution: '480p', aspect_ratio: '16:9' } },
    ],
    [
      'Wan 2.7 text: `ratio`, not aspect_ratio',
      { model: 'wan-2.7', resolution: '720p', durationSec: 2, aspectRatio: '4:3' },
      { model: 'wan/2-7-text-to-video', input: { prompt: 'a red kite', duration: 2, resolution: '720p', ratio: '4:3' } },
    ],
    [
      'Wan 2.7 image: first_frame_url as a string, no ratio',
      { model: 'wan-2.7', resolution: '1080p', durationSec: 6, imageUrls: [img] },
      { model: 'wan/2-7-image-to-video', input: { prompt: 'a red kite', duration: 6, resolution: '1080p', first_frame_url: img } },
    ],
    [
      'MiniMax H3 text: 768P',
      { model: 'minimax-h3', resolution: '768P', durationSec: 6, aspectRatio: '1:1' },
      { model: 'minimax-h3/text-to-video', input: { prompt: 'a red kite', duration: 6, resolution: '768P', aspect_ratio: '1:1' } },
    ],
    [
      'MiniMax H3 image: 2K',
      { model: 'minimax-h3', resolution: '2K', durationSec: 10, imageUrls: [img] },
      { model: 'minimax-h3/image-to-video', input: { prompt: 'a red kite', duration: 10, resolution: '2K', first_frame_url: img } },
    ],
    [
      'Sora 2 Pro (retired, still mapped for the simulator): n_frames string, size',
      { model: 'sora-2-pro', resolution: '1080p', durationSec: 15, aspectRatio: 'portrait' },
      { model: 'sora-2-pro-text-to-video', input: { prompt: 'a red kite', n_frames: '15', size: 'high', aspect_ratio: 'portrait' } },
    ],
    [
      'Sora 2 image: image_urls, default landscape, no size',
      { model: 'sora-2', resolution: '720p', durationSec: 10, imageUrls: [img] },
      { model: 'sora-2-image-to-video', input: { prompt: 'a red kite', n_frames: '10', aspect_ratio: 'landscape', image_urls: [img] } },
    ],
  ] as const)('%s', async (_what, over, body) => {
    const sent = await sentFor({ ...over, imageUrls: 'imageUrls' in over ? [...over.imageUrls] : undefined } as Partial<TaskSpec>);
    expect(sent.url).toBe(MARKET);
    expect(sent.body).toStrictEqual(body);
  });

  it('the callback URL sits beside the input', async () => {
    const sent = await sentFor({ model: 'wan-2.7', resolution: '720p', durationSec: 5 }, 'https://me/kie/callback');
    expect(sent.body).toStrictEqual({ model: 'wan/2-7-text-to-video', callBackUrl: 'https://me/kie/callback', input: { prompt: 'a red kite', duration: 5, resolution: '720p', ratio: '16:9' } });
  });
});

describe('veo adapter: the exact generate body (flat, no `input`)', () => {
  it.each([
    [
      'Veo 3.1 Quality text: `aspectRatio` in camelCase, like `imageUrls`',
      { model: 'veo-3.1', resolution: '1080p', durationSec: 8, aspectRatio: '9:16' },
      { model: 'veo3', prompt: 'a red kite', duration: 8, resolution: '1080p', aspectRatio: '9:16', generationType: 'TEXT_2_VIDEO' },
    ],
    [
      'Veo 3.1 Fast first and last frame: imageUrls',
      { model: 'veo-3.1-fast', resolution: '720p', durationSec: 6, imageUrls: [img, last] },
      { model: 'veo3_fast', prompt: 'a red kite', duration: 6, resolution: '720p', aspectRatio: '16:9', imageUrls: [img, last], generationType: 'FIRST_AND_LAST_FRAMES_2_VIDEO' },
    ],
    [
      'Veo 3.1 Lite 4k',
      { model: 'veo-3.1-lite', resolution: '4k', durationSec: 4, aspectRatio: 'Auto' },
      { model: 'veo3_lite', prompt: 'a red kite', duration: 4, resolution: '4k', aspectRatio: 'Auto', generationType: 'TEXT_2_VIDEO' },
    ],
  ] as const)('%s', async (_what, over, body) => {
    const sent = await sentFor({ ...over, imageUrls: 'imageUrls' in over ? [...over.imageUrls] : undefined } as Partial<TaskSpec>);
    expect(sent.url).toBe(VEO);
    expect(sent.body).toStrictEqual(body);
  });

  it('the callback URL is a top-level field', async () => {
    const sent = await sentFor({ model: 'veo-3.1-lite', resolution: '720p', durationSec: 8 }, 'https://me/kie/callback');
    expect(sent.body).toMatchObject({ model: 'veo3_lite', callBackUrl: 'https://me/kie/callback' });
    expect(sent.body).not.toHaveProperty('input');
  });
});

describe('nothing is sent for an option the model does not take', () => {
  it.each([
    [{ model: 'kling-2.6', resolution: '1080p', durationSec: 12 }, 'duration'],
    [{ model: 'seedance-2-fast', resolution: '4k', durationSec: 5 }, 'resolution'],
    [{ model: 'kling-2.6', resolution: '1080p', durationSec: 5, imageUrls: [img, last] }, 'imageUrls'],
    [{ model: 'veo-3.1', resolution: '720p', durationSec: 8, aspectRatio: '1:1' }, 'aspectRatio'],
  ] as const)('%o -> 422 naming %s', async (over, field) => {
    const { fetch, sent } = capture();
    const gw = createKieHttpGateway({ baseUrl: 'https://kie.test', apiKey: 'k', fetch });
    const r = await gw.createTask({ task: task({ ...over, imageUrls: 'imageUrls' in over ? [...over.imageUrls] : undefined } as Partial<TaskSpec>), attempt: 1, accountId: 'default' });
    expect(r).toMatchObject({ ok: false, error: { code: 422, message: expect.stringContaining(`not sent: ${field}:`) } });
    expect(sent).toHaveLength(0);
  });
});
