import { DEFAULT_CONFIG, getVideoModelInfo, listVideoModels } from '@clipfleet/engine';
import { describe, expect, it } from 'vitest';
import { catalogFromApi } from './catalog.ts';

describe('catalogFromApi', () => {
  it('round-trips the shipped catalog: every price matches the engine', () => {
    const c = DEFAULT_CONFIG.catalog;
    const api = {
      maxPromptLength: c.maxPromptLength,
      models: c.models.map((m) => ({ id: m.id, label: m.label, resolutions: m.variants.map((v) => v.resolution) })),
      variants: listVideoModels(c).map((v) => ({ model: v.model, resolution: v.resolution, durationSec: v.durationSec, credits: v.credits })),
    };
    const rebuilt = catalogFromApi(api);
    for (const v of listVideoModels(c)) expect(getVideoModelInfo(v.model, v.resolution, v.durationSec, rebuilt).credits).toBe(v.credits);
    expect(() => getVideoModelInfo('sora-2', '1080p', 15, rebuilt)).toThrow(/resolution/);
  });
});
