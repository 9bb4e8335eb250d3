import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { getVideoModelInfo, listVideoModels } from '../src/config/catalog.ts';
import { defaultFleetConfig } from '../src/config/defaults.ts';
import { baseConcurrency, calculateActualConcurrency, getBatchConfig } from '../src/config/plans.ts';
import type { FleetConfig, FleetConfigInput } from '../src/config/schema.ts';
import { DEFAULT_CONFIG, parseFleetConfig } from '../src/config/validate.ts';
import { ConfigError } from '../src/errors.ts';

/**
 * A fresh, mutable copy of the shipped configuration. JSON, not structuredClone: the defaults share
 * one internal-layer object between plans, and structuredClone would keep that sharing.
 */
function cloneDefaults(): FleetConfigInput & typeof defaultFleetConfig {
  return JSON.parse(JSON.stringify(defaultFleetConfig)) as FleetConfigInput & typeof defaultFleetConfig;
}

/** Runs `fn`, expects a ConfigError and returns it. */
function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error('expected a ConfigError, nothing was thrown');
}

const plan = (id: string) => getBatchConfig(id);

describe('getVideoModelInfo', () => {
  it.each([
    ['sora-2', '720p', 10, 15],
    ['sora-2', '720p', 15, 20],
    ['sora-2-pro', '720p', 10, 45],
    ['sora-2-pro', '720p', 15, 60],
    ['sora-2-pro', '1080p', 10, 100],
    ['sora-2-pro', '1080p', 15, 130],
  ] as const)('%s %s %i s costs %i credits', (model, resolution, durationSec, credits) => {
    const info = getVideoModelInfo(model, resolution, durationSec);
    expect(info.credits).toBe(credits);
    expect(info).toMatchObject({ model, resolution, durationSec });
  });

  it('Sora 2 Pro is 3x Sora 2 at 720p', () => {
    for (const d of [10, 15]) {
      expect(getVideoModelInfo('sora-2-pro', '720p', d).credits).toBe(3 * getVideoModelInfo('sora-2', '720p', d).credits);
    }
  });

  it('gives the KIE model ids for text- and image-to-video', () => {
    expect(getVideoModelInfo('sora-2', '720p', 10).kieModels).toEqual({
      textToVideo: 'sora-2-text-to-video',
      imageToVideo: 'sora-2-image-to-video',
    });
    expect(getVideoModelInfo('sora-2-pro', '1080p', 15).kieModels).toEqual({
      textToVideo: 'sora-2-pro-text-to-video',
      imageToVideo: 'sora-2-pro-image-to-video',
    });
  });

  it('maps Pro 720p to size standard and 1080p to high; sora-2 has no size', () => {
    expect(getVideoModelInfo('sora-2-pro', '720p', 10).size).toBe('standard');
    expect(getVideoModelInfo('sora-2-pro', '720p', 15).size).toBe('standard');
    expect(getVideoModelInfo('sora-2-pro', '1080p', 10).size).toBe('high');
    expect(getVideoModelInfo('sora-2-pro', '1080p', 15).size).toBe('high');
    expect(getVideoModelInfo('sora-2', '720p', 15).size).toBeUndefined();
  });

  it('n_frames is the duration as a string', () => {
    expect(getVideoModelInfo('sora-2', '720p', 10).nFrames).toBe('10');
    expect(getVideoModelInfo('sora-2-pro', '1080p', 15).nFrames).toBe('15');
    expect(typeof getVideoModelInfo('sora-2-pro', '720p', 15).nFrames).toBe('string');
  });

  it('labels', () => {
    expect(getVideoModelInfo('sora-2', '720p', 10).label).toBe('Sora 2');
    expect(getVideoModelInfo('sora-2-pro', '720p', 10).label).toBe('Sora 2 Pro');
  });

  it('rejects an unknown model, naming it and the known ones', () => {
    const e = configError(() => getVideoModelInfo('sora-3', '720p', 10));
    expect(e.path).toBe('model');
    expect(e.message).toContain('unknown model "sora-3"');
    expect(e.message).toContain('sora-2, sora-2-pro');
  });

  it('rejects 1080p on sora-2 (720p only)', () => {
    const e = configError(() => getVideoModelInfo('sora-2', '1080p', 10));
    expect(e.path).toBe('resolution');
    expect(e.message).toContain('"1080p"');
    expect(e.message).toContain('supported: 720p');
  });

  it('rejects a 12 s clip', () => {
    const e = configError(() => getVideoModelInfo('sora-2-pro', '720p', 12));
    expect(e.path).toBe('duration');
    expect(e.message).toContain('12');
    expect(e.message).toContain('supported: 10, 15');
  });

  it('lists exactly the six priced combinations', () => {
    const list = listVideoModels();
    expect(list.map((i) => `${i.model}/${i.resolution}/${i.durationSec}=${i.credits}`)).toEqual([
      'sora-2/720p/10=15',
      'sora-2/720p/15=20',
      'sora-2-pro/720p/10=45',
      'sora-2-pro/720p/15=60',
      'sora-2-pro/1080p/10=100',
      'sora-2-pro/1080p/15=130',
    ]);
  });
});

describe('plans', () => {
  it('user-facing layer: free 1/5, pro 3/15, pro_plus 5/25, enterprise 10/50; default plan is free', () => {
    expect([plan('free'), plan('pro'), plan('pro_plus'), plan('enterprise')].map((p) => [p.concurrency, p.batchSize])).toEqual([
      [1, 5],
      [3, 15],
      [5, 25],
      [10, 50],
    ]);
    expect(DEFAULT_CONFIG.defaultPlan).toBe('free');
  });

  it('internal layer carries the seed weights and timeouts', () => {
    const pro = plan('pro');
    expect(pro.resolutionWeight).toEqual({ '720p': 1.0, '1080p': 0.65 });
    expect(pro.durationWeight).toEqual({ '10': 1.3, '15': 1.0 });
    expect(pro.timeoutsMs).toEqual({ '720p': 5 * 60_000, '1080p': 15 * 60_000 });
    expect(pro.retry.maxRetries).toBe(3);
    expect(pro.retry.backoffMs).toEqual([2000, 4000, 8000]);
    expect(pro.degradation.failureRateThreshold).toBe(0.3);
    expect(pro.degradation.decreaseFactor).toBe(0.6);
    expect(plan('enterprise').modelConcurrency).toEqual({ 'sora-2': 12, 'sora-2-pro': 10 });
    expect(plan('enterprise').resolutionWeight['1080p']).toBe(0.7);
    expect(DEFAULT_CONFIG.provider).toMatchObject({ createLimit: 20, createWindowMs: 10_000 });
    expect(DEFAULT_CONFIG.maxBatchRows).toBe(10_000);
  });

  it('getBatchConfig rejects an unknown plan', () => {
    const e = configError(() => getBatchConfig('gold'));
    expect(e.path).toBe('plan');
    expect(e.message).toContain('unknown plan "gold"');
  });

  it('plans poll adaptively by default', () => {
    expect(plan('pro').polling.strategy).toBe('adaptive');
  });

  it('baseConcurrency: the model override or the plan concurrency', () => {
    expect(baseConcurrency(plan('pro'), 'sora-2-pro')).toBe(3);
    expect(baseConcurrency(plan('enterprise'), 'sora-2')).toBe(12);
    expect(baseConcurrency(plan('enterprise'), 'sora-2-pro')).toBe(10);
    expect(baseConcurrency(plan('enterprise'), 'sora-9')).toBe(10);
  });
});

describe('calculateActualConcurrency', () => {
  it.each([
    ['pro', '720p', 15, 3],
    ['pro', '1080p', 15, 2],
    ['pro', '720p', 10, 4],
    ['pro', '1080p', 10, 3], // round(3 x 0.65 x 1.3 = 2.535)
    ['pro_plus', '720p', 15, 5],
    ['pro_plus', '1080p', 15, 3],
    ['pro_plus', '720p', 10, 7], // round(6.5) = 7 (JS Math.round)
    ['free', '720p', 15, 1],
    ['free', '1080p', 15, 1], // round(0.65) = 1, and never below 1 anyway
    ['free', '720p', 10, 1],
  ] as const)('%s %s %i s -> %i', (planId, resolution, durationSec, expected) => {
    expect(calculateActualConcurrency(plan(planId), 'sora-2-pro', resolution, durationSec)).toBe(expected);
  });

  it('enterprise uses modelConcurrency (sora-2 12, sora-2-pro 10) and the 1080p weight 0.7', () => {
    const ent = plan('enterprise');
    expect(calculateActualConcurrency(ent, 'sora-2', '720p', 15)).toBe(12);
    expect(calculateActualConcurrency(ent, 'sora-2', '720p', 10)).toBe(16); // round(15.6)
    expect(calculateActualConcurrency(ent, 'sora-2-pro', '720p', 15)).toBe(10);
    expect(calculateActualConcurrency(ent, 'sora-2-pro', '720p', 10)).toBe(13);
    expect(calculateActualConcurrency(ent, 'sora-2-pro', '1080p', 15)).toBe(7); // 10 x 0.7, not 0.65 (6.5 -> 7 too, so check 10 s)
    expect(calculateActualConcurrency(ent, 'sora-2-pro', '1080p', 10)).toBe(9); // round(9.1); with 0.65 it would be round(8.45) = 8
  });

  it('a degraded level scales the concurrency', () => {
    const pro = plan('pro');
    // pro degraded 3 -> 2 (x0.6 rounded)
    expect(calculateActualConcurrency(pro, 'sora-2-pro', '720p', 15, 2)).toBe(2);
    expect(calculateActualConcurrency(pro, 'sora-2-pro', '720p', 10, 2)).toBe(3); // round(2.6)
    expect(calculateActualConcurrency(pro, 'sora-2-pro', '1080p', 15, 2)).toBe(1); // round(1.3)
    expect(calculateActualConcurrency(pro, 'sora-2-pro', '720p', 15, 1)).toBe(1);
    // the default level is the plan's concurrency
    expect(calculateActualConcurrency(pro, 'sora-2-pro', '720p', 10, 3)).toBe(4);
    // enterprise per-model base is scaled by the same ratio: sora-2 12 x 5/10 = 6
    const ent = plan('enterprise');
    expect(calculateActualConcurrency(ent, 'sora-2', '720p', 15, 5)).toBe(6);
    expect(calculateActualConcurrency(ent, 'sora-2-pro', '720p', 15, 6)).toBe(6);
    expect(calculateActualConcurrency(ent, 'sora-2-pro', '1080p', 15, 6)).toBe(4); // round(4.2)
  });

  it('rejects a class the plan has no weight for', () => {
    expect(configError(() => calculateActualConcurrency(plan('pro'), 'sora-2-pro', '4k', 15)).path).toBe('resolution');
    expect(configError(() => calculateActualConcurrency(plan('pro'), 'sora-2-pro', '720p', 12)).path).toBe('duration');
  });

  const planArb = fc.constantFrom('free', 'pro', 'pro_plus', 'enterprise');
  const classArb = fc.constantFrom(
    ['sora-2', '720p', 10],
    ['sora-2', '720p', 15],
    ['sora-2-pro', '720p', 10],
    ['sora-2-pro', '720p', 15],
    ['sora-2-pro', '1080p', 10],
    ['sora-2-pro', '1080p', 15],
  ) as fc.Arbitrary<[string, string, number]>;

  test.prop([planArb, classArb, fc.integer({ min: 1, max: 200 })])('never below 1 for any plan, class and level >= 1', (planId, [m, r, d], level) => {
    const n = calculateActualConcurrency(plan(planId), m, r, d, level);
    expect(Number.isInteger(n)).toBe(true);
    expect(n).toBeGreaterThanOrEqual(1);
  });

  test.prop([planArb, classArb, fc.integer({ min: 1, max: 50 }), fc.integer({ min: 1, max: 50 })])(
    'non-decreasing in the level',
    (planId, [m, r, d], a, b) => {
      const [lo, hi] = a <= b ? [a, b] : [b, a];
      const p = plan(planId);
      expect(calculateActualConcurrency(p, m, r, d, lo)).toBeLessThanOrEqual(calculateActualConcurrency(p, m, r, d, hi));
    },
  );

  test.prop([
    fc.integer({ min: 1, max: 100 }),
    fc.double({ min: 0.01, max: 3, noNaN: true }),
    fc.double({ min: 0.01, max: 3, noNaN: true }),
    fc.integer({ min: 1, max: 100 }),
  ])('never below 1 for arbitrary plan weights', (concurrency, rw, dw, level) => {
    const p = { ...plan('pro'), concurrency, resolutionWeight: { x: rw }, durationWeight: { '7': dw } };
    expect(calculateActualConcurrency(p, 'any', 'x', 7, level)).toBeGreaterThanOrEqual(1);
    expect(calculateActualConcurrency(p, 'any', 'x', 7)).toBe(Math.max(1, Math.round(concurrency * rw * dw)));
  });
});

describe('parseFleetConfig', () => {
  it('the shipped defaults parse and equal DEFAULT_CONFIG', () => {
    expect(parseFleetConfig(cloneDefaults())).toEqual(DEFAULT_CONFIG);
    expect(DEFAULT_CONFIG.plans.map((p) => p.id)).toEqual(['free', 'pro', 'pro_plus', 'enterprise']);
  });

  it('parsed plans share no objects (the shipped defaults do): editing one plan cannot leak into another', () => {
    const config = parseFleetConfig(cloneDefaults());
    const [free, pro] = [config.plans[0]!, config.plans[1]!];
    expect(free.resolutionWeight).not.toBe(pro.resolutionWeight);
    expect(free.polling).not.toBe(pro.polling);
    free.resolutionWeight['1080p'] = 0.1;
    expect(pro.resolutionWeight['1080p']).toBe(0.65);
  });

  it('lists every bad field in the message, the first one in .path', () => {
    const cfg = cloneDefaults();
    cfg.plans[1]!.concurrency = 0;
    cfg.provider.maxRunning = -1;
    const e = configError(() => parseFleetConfig(cfg));
    expect(e.path).toBe('plans.1.concurrency');
    expect(e.message).toContain('plans.1.concurrency');
    expect(e.message).toContain('provider.maxRunning');
  });

  it('rejects plans.1.concurrency = 0, naming the field', () => {
    const cfg = cloneDefaults();
    cfg.plans[1]!.concurrency = 0;
    const e = configError(() => parseFleetConfig(cfg));
    expect(e.path).toBe('plans.1.concurrency');
    expect(e.message).toContain('plans.1.concurrency');
  });

  it('rejects a negative price', () => {
    const cfg = cloneDefaults();
    cfg.catalog.models[1]!.variants[1]!.prices[0]!.credits = -100;
    const e = configError(() => parseFleetConfig(cfg));
    expect(e.path).toBe('catalog.models.1.variants.1.prices.0.credits');
    expect(e.message).toContain('catalog.models.1.variants.1.prices.0.credits');
  });

  it('rejects a fractional concurrency and a non-number', () => {
    const cfg = cloneDefaults();
    cfg.plans[2]!.batchSize = 2.5;
    expect(configError(() => parseFleetConfig(cfg)).path).toBe('plans.2.batchSize');
    const cfg2 = cloneDefaults() as unknown as { provider: { createLimit: unknown } };
    cfg2.provider.createLimit = '20';
    expect(configError(() => parseFleetConfig(cfg2)).path).toBe('provider.createLimit');
  });

  it('rejects a plan missing a resolutionWeight for a catalog resolution', () => {
    const cfg = cloneDefaults();
    delete (cfg.plans[2]!.resolutionWeight as Record<string, number>)['1080p'];
    const e = configError(() => parseFleetConfig(cfg));
    expect(e.path).toBe('plans.2.resolutionWeight');
    expect(e.message).toContain('plans.2.resolutionWeight');
    expect(e.message).toContain('"1080p"');
  });

  it('rejects a plan missing a durationWeight or a timeout for a catalog class', () => {
    const cfg = cloneDefaults();
    delete (cfg.plans[3]!.durationWeight as Record<string, number>)['10'];
    const e = configError(() => parseFleetConfig(cfg));
    expect(e.path).toBe('plans.3.durationWeight');
    expect(e.message).toContain('"10"');
    const cfg2 = cloneDefaults();
    delete (cfg2.plans[0]!.timeoutsMs as Record<string, number>)['720p'];
    expect(configError(() => parseFleetConfig(cfg2)).path).toBe('plans.0.timeoutsMs');
  });

  it('rejects a duplicate plan id', () => {
    const cfg = cloneDefaults();
    cfg.plans[2]!.id = 'pro';
    const e = configError(() => parseFleetConfig(cfg));
    expect(e.path).toBe('plans.2.id');
    expect(e.message).toContain('duplicate plan "pro"');
  });

  it('rejects an unknown defaultPlan', () => {
    const cfg = cloneDefaults();
    cfg.defaultPlan = 'platinum';
    const e = configError(() => parseFleetConfig(cfg));
    expect(e.path).toBe('defaultPlan');
    expect(e.message).toContain('"platinum"');
  });

  it('rejects out-of-range policy numbers', () => {
    const cfg = cloneDefaults();
    cfg.plans[1]!.degradation = { ...cfg.plans[1]!.degradation, decreaseFactor: 1 };
    expect(configError(() => parseFleetConfig(cfg)).path).toBe('plans.1.degradation.decreaseFactor');
    const cfg2 = cloneDefaults();
    cfg2.plans[0]!.retry = { ...cfg2.plans[0]!.retry, jitterRatio: 1.5 };
    expect(configError(() => parseFleetConfig(cfg2)).path).toBe('plans.0.retry.jitterRatio');
    const cfg3 = cloneDefaults();
    cfg3.catalog.models = [];
    expect(configError(() => parseFleetConfig(cfg3)).path).toBe('catalog.models');
  });

  it('rejects non-objects', () => {
    expect(() => parseFleetConfig(null)).toThrow(ConfigError);
    expect(() => parseFleetConfig({})).toThrow(/invalid config/);
  });

  it('a new model, price and plan are a config change, not code', () => {
    const cfg = cloneDefaults();
    cfg.catalog.models.push({
      id: 'sora-3',
      label: 'Sora 3',
      kieModels: { textToVideo: 'sora-3-text-to-video', imageToVideo: 'sora-3-image-to-video' },
      variants: [
        {
          resolution: '4k',
          size: 'ultra',
          prices: [
            { durationSec: 15, credits: 300 },
            { durationSec: 25, credits: 450 },
          ],
        },
      ],
    });
    // a new class needs weights in every plan: without them the config is refused
    expect(configError(() => parseFleetConfig(cfg)).path).toBe('plans.0.resolutionWeight');
    for (const p of cfg.plans) {
      (p.resolutionWeight as Record<string, number>)['4k'] = 0.5;
      (p.durationWeight as Record<string, number>)['25'] = 0.6;
      (p.timeoutsMs as Record<string, number>)['4k'] = 30 * 60_000;
    }
    cfg.plans.push({
      ...(JSON.parse(JSON.stringify(cfg.plans[1]!)) as (typeof cfg.plans)[number]),
      id: 'studio',
      label: 'Studio',
      concurrency: 8,
      batchSize: 40,
      modelConcurrency: { 'sora-3': 4 },
    });
    cfg.catalog.models[0]!.variants[0]!.prices[0]!.credits = 12; // a price change
    const config: FleetConfig = parseFleetConfig(cfg);

    const info = getVideoModelInfo('sora-3', '4k', 25, config.catalog);
    expect(info).toMatchObject({ credits: 450, size: 'ultra', nFrames: '25', kieModels: { textToVideo: 'sora-3-text-to-video' } });
    expect(getVideoModelInfo('sora-2', '720p', 10, config.catalog).credits).toBe(12);
    expect(listVideoModels(config.catalog)).toHaveLength(8);

    const studio = getBatchConfig('studio', config);
    expect(studio.batchSize).toBe(40);
    expect(calculateActualConcurrency(studio, 'sora-2-pro', '720p', 15)).toBe(8);
    expect(calculateActualConcurrency(studio, 'sora-3', '4k', 25)).toBe(1); // round(4 x 0.5 x 0.6 = 1.2)
    expect(calculateActualConcurrency(studio, 'sora-3', '4k', 15)).toBe(2);
    // the shipped catalog is untouched
    expect(() => getVideoModelInfo('sora-3', '4k', 25)).toThrow(ConfigError);
    expect(getVideoModelInfo('sora-2', '720p', 10).credits).toBe(15);
  });
});
