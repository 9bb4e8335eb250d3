import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { allowedDurations, checkVideoRequest, getVideoModelInfo, liveModels, retiredMessage, findModel } from '../src/config/catalog.ts';
import { calculateActualConcurrency, getBatchConfig } from '../src/config/plans.ts';
import { DEFAULT_CONFIG } from '../src/config/validate.ts';
import { durationWeightOf, powerLawWeight, resolutionWeightOf } from '../src/config/weights.ts';
import { ConfigError } from '../src/errors.ts';

const catalog = DEFAULT_CONFIG.catalog;

function pathOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).path;
  }
  throw new Error('expected a ConfigError');
}

describe('the shipped catalog', () => {
  it('has the live models of KIE today and Sora as retired', () => {
    expect(liveModels().map((m) => m.id)).toEqual([
      'kling-2.6',
      'kling-3.0-turbo',
      'seedance-2',
      'seedance-2-fast',
      'wan-2.7',
      'minimax-h3',
      'veo-3.1',
      'veo-3.1-fast',
      'veo-3.1-lite',
    ]);
    for (const id of ['sora-2', 'sora-2-pro']) {
      expect(findModel(id).status).toMatchObject({ state: 'retired', date: '2026-09-24' });
    }
    expect(catalog.models.filter((m) => m.family === 'veo').map((m) => m.modes.textToVideo?.kieModel)).toEqual(['veo3', 'veo3_fast', 'veo3_lite']);
  });

  it('a retired model names its notice, date and the live alternatives', () => {
    const msg = retiredMessage(findModel('sora-2-pro'), catalog)!;
    expect(msg).toContain('retired since 2026-09-24');
    expect(msg).toContain('OpenAI shut Sora 2 and Sora 2 Pro down');
    expect(msg).toContain('kling-2.6, kling-3.0-turbo, seedance-2');
    expect(retiredMessage(findModel('wan-2.7'), catalog)).toBeUndefined();
  });

  it('prices per clip or per second, rounded up to a whole credit', () => {
    expect(getVideoModelInfo('kling-2.6', '1080p', 5).credits).toBe(28);
    expect(getVideoModelInfo('kling-2.6', '1080p', 10).credits).toBe(55);
    expect(getVideoModelInfo('seedance-2', '720p', 5).credits).toBe(103); // 20.5 x 5 = 102.5
    expect(getVideoModelInfo('seedance-2', '480p', 5).credits).toBe(46); // 9.2 x 5, not 47 from float noise
    expect(getVideoModelInfo('wan-2.7', '1080p', 15).credits).toBe(180);
    expect(getVideoModelInfo('veo-3.1-fast', '720p', 8).credits).toBe(30);
    expect(getVideoModelInfo('veo-3.1', '4k', 8).credits).toBe(250);
  });

  it('durations: a list or a range of whole seconds', () => {
    expect(allowedDurations(findModel('kling-2.6'))).toEqual([5, 10]);
    expect(allowedDurations(findModel('wan-2.7'))).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
    expect(allowedDurations(findModel('veo-3.1-lite'))).toEqual([4, 6, 8]);
  });
});

describe('checkVideoRequest names the field a model does not accept', () => {
  it.each([
    ['4k on Seedance 2.0 Fast', { model: 'seedance-2-fast', resolution: '4k', durationSec: 5 }, 'resolution'],
    ['12 s on Kling 2.6', { model: 'kling-2.6', resolution: '1080p', durationSec: 12 }, 'duration'],
    ['20 s on Wan 2.7 (range 2-15)', { model: 'wan-2.7', resolution: '720p', durationSec: 20 }, 'duration'],
    ['1 s on MiniMax H3', { model: 'minimax-h3', resolution: '768P', durationSec: 1 }, 'duration'],
    ['7.5 s (not whole)', { model: 'seedance-2', resolution: '720p', durationSec: 7.5 }, 'duration'],
    ['5 s on Veo (4, 6, 8)', { model: 'veo-3.1', resolution: '720p', durationSec: 5 }, 'duration'],
    ['two images on Kling 2.6', { model: 'kling-2.6', resolution: '1080p', durationSec: 5, imageUrls: ['https://a/1.png', 'https://a/2.png'] }, 'imageUrls'],
    ['three images on Veo', { model: 'veo-3.1', resolution: '720p', durationSec: 8, imageUrls: ['https://a/1', 'https://a/2', 'https://a/3'] }, 'imageUrls'],
    ['an http image', { model: 'wan-2.7', resolution: '720p', durationSec: 5, imageUrls: ['http://a/1.png'] }, 'imageUrls[0]'],
    ['a ratio Wan does not take', { model: 'wan-2.7', resolution: '720p', durationSec: 5, aspectRatio: '21:9' }, 'aspectRatio'],
    ['an aspect on an image mode without one', { model: 'kling-2.6', resolution: '1080p', durationSec: 5, aspectRatio: '16:9', imageUrls: ['https://a/1.png'] }, 'aspectRatio'],
    ['Sora landscape names on Kling', { model: 'kling-2.6', resolution: '1080p', durationSec: 5, aspectRatio: 'landscape' }, 'aspectRatio'],
    ['a 1001-character prompt on Kling 2.6', { model: 'kling-2.6', resolution: '1080p', durationSec: 5, prompt: 'x'.repeat(1001) }, 'prompt'],
    ['an unknown model', { model: 'sora-3', resolution: '720p', durationSec: 5 }, 'model'],
  ])('%s', (_what, req, path) => {
    expect(pathOf(() => checkVideoRequest(req))).toBe(path);
  });

  it('accepts what the models document', () => {
    expect(checkVideoRequest({ model: 'kling-2.6', resolution: '1080p', durationSec: 10, aspectRatio: '9:16' }).mode).toBe('textToVideo');
    expect(checkVideoRequest({ model: 'seedance-2', resolution: '1080p', durationSec: 15, imageUrls: ['https://a/f.png', 'https://a/l.png'] }).mode).toBe('imageToVideo');
    expect(checkVideoRequest({ model: 'sora-2-pro', resolution: '1080p', durationSec: 15, aspectRatio: 'portrait' }).info.credits).toBe(130);
  });
});

/** Every (model, resolution, duration) of the shipped catalog, plus the whole 2-30 s range. */
const resolutions = Object.keys(catalog.resolutions);
const planArb = fc.constantFrom('free', 'pro', 'pro_plus', 'enterprise');
const modelArb = fc.constantFrom(...catalog.models.map((m) => m.id));

describe('concurrency for every resolution and duration', () => {
  it('every seed value is exactly as before', () => {
    const seed = [
      ['pro', '720p', 15, 3],
      ['pro', '1080p', 15, 2],
      ['pro', '720p', 10, 4],
      ['pro_plus', '720p', 15, 5],
      ['pro_plus', '1080p', 15, 3],
      ['pro_plus', '720p', 10, 7],
    ] as const;
    for (const [p, r, d, n] of seed) expect(calculateActualConcurrency(getBatchConfig(p), 'sora-2-pro', r, d)).toBe(n);
    for (const p of DEFAULT_CONFIG.plans) {
      for (const [r, w] of Object.entries(p.resolutionWeight)) expect(resolutionWeightOf(p.resolutionWeight, r, catalog)).toBe(w);
      for (const [d, w] of Object.entries(p.durationWeight)) expect(durationWeightOf(p.durationWeight, Number(d))).toBe(w);
    }
  });

  it('interpolates as a power law between the seed points and beyond them', () => {
    const pro = getBatchConfig('pro');
    // 12.5 s: geometric blend of 1.3 and 1.0 at the log-midpoint is not linear; check it sits between
    const w12 = durationWeightOf(pro.durationWeight, 12);
    expect(w12).toBeLessThan(1.3);
    expect(w12).toBeGreaterThan(1.0);
    expect(durationWeightOf(pro.durationWeight, 30)).toBeCloseTo(Math.pow(2, Math.log(1 / 1.3) / Math.log(1.5)), 12);
    expect(resolutionWeightOf(pro.resolutionWeight, '4k', catalog)).toBeCloseTo(0.65 * Math.pow(4, Math.log(0.65) / Math.log(2.25)), 12);
    expect(powerLawWeight([[10, 2]], 99)).toBe(2);
  });

  test.prop([planArb, modelArb, fc.constantFrom(...resolutions), fc.constantFrom(...resolutions), fc.integer({ min: 2, max: 30 }), fc.integer({ min: 2, max: 30 }), fc.integer({ min: 1, max: 20 })])(
    'monotone: a longer or larger clip never gets more concurrency',
    (planId, model, r1, r2, d1, d2, level) => {
      const p = getBatchConfig(planId);
      const px = (r: string) => catalog.resolutions[r]!.width * catalog.resolutions[r]!.height;
      const [small, large] = px(r1) <= px(r2) ? [r1, r2] : [r2, r1];
      const [short, long] = d1 <= d2 ? [d1, d2] : [d2, d1];
      const lvl = Math.min(level, p.concurrency);
      const c = (r: string, d: number) => calculateActualConcurrency(p, model, r, d, lvl);
      expect(c(large, short)).toBeLessThanOrEqual(c(small, short));
      expect(c(small, long)).toBeLessThanOrEqual(c(small, short));
      expect(c(large, long)).toBeLessThanOrEqual(c(small, short));
      expect(c(large, long)).toBeGreaterThanOrEqual(1);
    },
  );

  test.prop([fc.array(fc.tuple(fc.double({ min: 1, max: 1e7, noNaN: true }), fc.double({ min: 0.01, max: 10, noNaN: true })), { minLength: 1, maxLength: 5 }), fc.double({ min: 0.5, max: 2e7, noNaN: true }), fc.double({ min: 0.5, max: 2e7, noNaN: true })])(
    'powerLawWeight: non-increasing whenever the points are, and exact at every point',
    (raw, a, b) => {
      // make the points non-increasing in size: sort sizes ascending and weights descending, sizes distinct
      const sizes = [...new Set(raw.map(([x]) => x))].sort((x, y) => x - y);
      const weights = raw.map(([, w]) => w).sort((x, y) => y - x).slice(0, sizes.length);
      const points = sizes.map((x, i) => [x, weights[i]!] as const);
      for (const [x, w] of points) expect(powerLawWeight(points, x)).toBe(w);
      const [lo, hi] = a <= b ? [a, b] : [b, a];
      expect(powerLawWeight(points, hi)).toBeLessThanOrEqual(powerLawWeight(points, lo) * (1 + 1e-12));
    },
  );
});

describe('a new model is a catalog entry: its mapping drives the request', () => {
  it('an image-only model with a single `image_url` string field, a string duration and a quality field', async () => {
    const { parseFleetConfig } = await import('../src/config/validate.ts');
    const { buildKieRequest, kieCreateBody } = await import('../src/config/request.ts');
    const config = parseFleetConfig({
      ...DEFAULT_CONFIG,
      catalog: {
        ...catalog,
        models: [
          ...catalog.models,
          {
            id: 'hailuo-2.3-pro',
            label: 'Hailuo 2.3 Pro',
            family: 'market',
            status: { state: 'live' },
            modes: { imageToVideo: { kieModel: 'hailuo/2-3-image-to-video-pro', images: { min: 1, max: 1 } } },
            resolutions: ['768P', '1080p'],
            durations: { list: [6] },
            input: { promptMaxLength: 5000, duration: { field: 'duration', type: 'string' }, resolution: { field: 'resolution', values: { '768P': '768P', '1080p': '1080P' } }, images: { kind: 'single', field: 'image_url' } },
            price: { per: 'clip', credits: { '768P': { '6': 23 }, '1080p': { '6': 40 } } },
          },
        ],
      },
    });
    const req = buildKieRequest({ model: 'hailuo-2.3-pro', resolution: '1080p', durationSec: 6, prompt: 'p', imageUrls: ['https://i/1.png'] }, config.catalog);
    expect(kieCreateBody(req)).toStrictEqual({ model: 'hailuo/2-3-image-to-video-pro', input: { prompt: 'p', duration: '6', resolution: '1080P', image_url: 'https://i/1.png' } });
    // no text-to-video mode: a row without an image is refused, naming the field
    expect(pathOf(() => buildKieRequest({ model: 'hailuo-2.3-pro', resolution: '768P', durationSec: 6, prompt: 'p' }, config.catalog))).toBe('imageUrls');
  });

  it('refuses a mapping that cannot carry what the model offers', async () => {
    const { parseFleetConfig } = await import('../src/config/validate.ts');
    const broken = JSON.parse(JSON.stringify(DEFAULT_CONFIG)) as typeof DEFAULT_CONFIG;
    const wan = broken.catalog.models.find((m) => m.id === 'wan-2.7')!;
    delete (wan.input as { aspectRatio?: unknown }).aspectRatio;
    const i = broken.catalog.models.indexOf(wan);
    expect(pathOf(() => parseFleetConfig(broken))).toBe(`catalog.models.${i}.input.aspectRatio`);
    const unpriced = JSON.parse(JSON.stringify(DEFAULT_CONFIG)) as typeof DEFAULT_CONFIG;
    const seedance = unpriced.catalog.models.find((m) => m.id === 'seedance-2')!;
    delete (seedance.price.credits as Record<string, unknown>)['1080p'];
    expect(pathOf(() => parseFleetConfig(unpriced))).toBe(`catalog.models.${unpriced.catalog.models.indexOf(seedance)}.price.credits`);
  });
});
