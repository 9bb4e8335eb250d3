import { DiscreteEventClock } from '../src/clock.ts';
import { SimKie, type SimKieOptions } from '../src/core.ts';

export function newSim(options: Partial<SimKieOptions> = {}): { clock: DiscreteEventClock; core: SimKie } {
  const clock = new DiscreteEventClock();
  const core = new SimKie({ clock, seed: 1, ...options });
  return { clock, core };
}

export function createBody(overrides: Record<string, unknown> = {}, input: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    model: 'sora-2-pro-text-to-video',
    ...overrides,
    input: { prompt: 'a red fox in the snow', aspect_ratio: 'landscape', n_frames: '15', size: 'standard', ...input },
  };
}
