import type { Expectation } from './polling.ts';

/**
 * When will a running job finish? A log-normal completion-time model (positive, right-skewed, as
 * generation times are) fitted to a class's learned mean and standard deviation, and the polling
 * plan that is optimal for it.
 *
 * Why this plan: with poll interval d(t), the expected number of polls is the integral of S(t)/d(t)
 * (S: chance the job is still running) and the mean detection delay is the integral of f(t) d(t)/2
 * (f: completion density). Minimising the first for a fixed second gives d(t) = k / sqrt(h(t)),
 * h = f/S the hazard rate, with k = 2 D / integral(sqrt(f S)) for a target mean delay D. Polls then
 * fall where the "polling clock" Phi(t) = integral(sqrt(h)) / k passes a whole number: sparse while
 * completion is unlikely, dense where it is likely, and no jump over the window where jobs finish.
 */

/** Complementary error function (Numerical Recipes' erfcc: relative error below 1.2e-7 everywhere). */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

export interface LogNormal {
  mu: number;
  sigma: number;
}

export function fitLogNormal({ meanMs, sdMs }: Expectation): LogNormal {
  const sigma2 = Math.log(1 + (sdMs / meanMs) ** 2);
  return { mu: Math.log(meanMs) - sigma2 / 2, sigma: Math.sqrt(sigma2) };
}

/** The model at t > 0: completion density f (per ms), survival S = P(still running at t), and hazard h = f/S. */
function pointOf(d: LogNormal, t: number): { f: number; s: number; h: number } {
  const logT = Math.log(t);
  const z = (logT - d.mu) / d.sigma;
  const s = 0.5 * erfc((logT - d.mu) / (d.sigma * Math.SQRT2));
  const f = Math.exp(-0.5 * z * z) / (t * d.sigma * Math.sqrt(2 * Math.PI));
  // Far in the tail both f and S underflow: there the asymptote of the normal's Mills ratio, h = z / (sigma t)
  // (relative error about 1/z^2), or the hazard would read 0 and a schedule would stop polling just where a late
  // job is certain to be done soon.
  const h = z > 5 || !(s > 0) ? z / (d.sigma * t) : f / s;
  return { f, s, h };
}

/** P(still running at t). */
export function survival(d: LogNormal, t: number): number {
  return t <= 0 ? 1 : pointOf(d, t).s;
}

/** Completion density at t (per ms). */
export function density(d: LogNormal, t: number): number {
  return t <= 0 ? 0 : pointOf(d, t).f;
}

/** Hazard rate f/S at t (per ms). */
export function hazard(d: LogNormal, t: number): number {
  return t <= 0 ? 0 : pointOf(d, t).h;
}

const GRID = 400;

/** Phi on a grid up to a far quantile; past it the hazard falls slowly and d(t) is taken pointwise. */
export interface PollingClock {
  k: number;
  model: LogNormal;
  stepMs: number;
  phi: Float64Array;
}

export function pollingClock(expected: Expectation, targetDelayMs: number): PollingClock {
  const model = fitLogNormal(expected);
  const endMs = Math.exp(model.mu + 6 * model.sigma);
  const stepMs = endMs / GRID;
  // One evaluation of the model per grid point (a clock is built whenever a class's estimate moves): the integral
  // of sqrt(f S), and sqrt(h), kept in `phi` until k is known.
  const phi = new Float64Array(GRID + 1);
  let integral = 0;
  let previousRoot = 0;
  for (let i = 1; i <= GRID; i++) {
    const t = i * stepMs;
    const { f, s, h } = pointOf(model, t);
    const root = Math.sqrt(f * s);
    integral += ((previousRoot + root) / 2) * stepMs;
    previousRoot = root;
    phi[i] = Math.sqrt(h);
  }
  const k = (2 * targetDelayMs) / integral;
  // Accumulate sqrt(h) / k with the trapezoid rule.
  let previous = 0;
  for (let i = 1; i <= GRID; i++) {
    const current = phi[i]!;
    phi[i] = phi[i - 1]! + ((previous + current) / 2) * (stepMs / k);
    previous = current;
  }
  return { k, model, stepMs, phi };
}

/** Time from `elapsedMs` to the next poll: where Phi next grows by one. */
export function nextPollOnClock(clock: PollingClock, elapsedMs: number): number {
  const { phi, stepMs } = clock;
  const endMs = GRID * stepMs;
  // Past the grid: the pointwise optimum d = k / sqrt(h).
  const pointwise = (t: number) => {
    const h = hazard(clock.model, t);
    return h > 0 ? clock.k / Math.sqrt(h) : Number.POSITIVE_INFINITY;
  };
  if (elapsedMs >= endMs) return pointwise(elapsedMs);
  const i = Math.floor(elapsedMs / stepMs);
  const target = phi[i]! + (phi[i + 1]! - phi[i]!) * ((elapsedMs - i * stepMs) / stepMs) + 1;
  let j = i;
  while (j < GRID && phi[j + 1]! < target) j++;
  if (j < GRID) {
    const span = phi[j + 1]! - phi[j]!;
    return Math.max(0, j * stepMs + (span > 0 ? ((target - phi[j]!) / span) * stepMs : stepMs) - elapsedMs);
  }
  // The grid holds less than one tick from here: carry on past its end at the end's rate.
  const rest = target - phi[GRID]!;
  return endMs - elapsedMs + rest * pointwise(endMs);
}
