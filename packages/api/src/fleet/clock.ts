import type { EngineClock } from '@clipfleet/engine';

/**
 * The live server's engine clock: real time sped up `scale` times, so that with the simulated KIE at the same
 * time scale the whole system behaves like real life sped up (scale 1 is plain wall time).
 * now() is the wall epoch times `scale`, so it stays monotonic across restarts at the same scale
 * (persisted engine times such as `submitted_at` remain comparable after a crash).
 */
export function createScaledClock(scale = 1, wall: () => number = Date.now): EngineClock {
  if (!(scale > 0) || !Number.isFinite(scale)) throw new Error(`time scale must be a positive number, got ${scale}`);
  return {
    now: () => wall() * scale,
    setTimeout: (fn: (...args: any[]) => void, timeout: number) => {
      const handle = setTimeout(fn, Math.max(0, timeout / scale));
      // Engine timers must not keep a stopping process alive.
      handle.unref?.();
      return handle;
    },
    clearTimeout: (id: any) => clearTimeout(id),
  };
}
