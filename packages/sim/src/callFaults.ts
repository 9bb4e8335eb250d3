import type { FaultProfile } from './profiles/faults.ts';
import { streamFor } from './rng.ts';
import { kieError, type KieResponse } from './wire.ts';

export type FaultOp = 'create' | 'query';

/** A forced answer for the next matching call, for testing clients against every KIE error code. */
export interface InjectedFault {
  op: FaultOp;
  code: number;
  msg?: string;
  /** How many calls it applies to (default 1). */
  times?: number;
}

/**
 * The faults a single call can meet, in the order KIE would answer them: the key check, a forced answer, the
 * maintenance window, then the call's own random 429 (overload burst) or 500. Everything is a function of the
 * seed, the clock and the call's identity, so the same calls meet the same faults in every run.
 */
export class CallFaults {
  private readonly injected: InjectedFault[] = [];

  constructor(
    private readonly seed: number,
    private readonly faults: FaultProfile,
    private readonly apiKeys: Set<string>,
  ) {}

  /** Forces the answer of the next `times` matching calls (after the auth check). */
  inject(fault: InjectedFault): void {
    this.injected.push({ ...fault, times: fault.times ?? 1 });
  }

  authorize(apiKey: string | undefined, now: number): KieResponse<never> | undefined {
    if (!apiKey || !this.apiKeys.has(apiKey)) return kieError(401);
    const revoke = this.faults.auth;
    if (revoke && now >= revoke.revokeAtMs) return kieError(401, 'Unauthorized: API key revoked');
    return undefined;
  }

  takeInjected(op: FaultOp): InjectedFault | undefined {
    if (this.injected.length === 0) return undefined;
    const i = this.injected.findIndex((f) => f.op === op);
    if (i < 0) return undefined;
    const fault = this.injected[i]!;
    fault.times = (fault.times ?? 1) - 1;
    if (fault.times <= 0) this.injected.splice(i, 1);
    return fault;
  }

  inOutage(now: number): boolean {
    const o = this.faults.outage;
    return o !== null && now >= o.startMs && now < o.startMs + o.durationMs;
  }

  /**
   * A call's own random faults: a 429 in an overload burst (at `burstShare` of the burst's rate), then a 500 at
   * `errorRate`. The call's stream (`<op>/<id>/<n>`) is built only when one of them can happen: a fault-free run
   * builds neither it nor its key.
   */
  callFault(op: FaultOp, id: string, n: number, now: number, burstShare: number, errorRate: number): KieResponse<never> | undefined {
    const overload = this.faults.overload;
    const rejectRate = overload && this.inBurst(now) ? overload.burstRejectRate * burstShare : 0;
    if (rejectRate <= 0 && errorRate <= 0) return undefined;
    const callRng = streamFor(this.seed, `${op}/${id}/${n}`);
    if (callRng.chance(rejectRate)) return kieError(429);
    if (callRng.chance(errorRate)) return kieError(500);
    return undefined;
  }

  /** Whether an overload burst covers `now`: one burst per period, at a seeded offset inside it. */
  private inBurst(now: number): boolean {
    const o = this.faults.overload;
    if (!o || o.burstLengthMs <= 0) return false;
    const period = Math.floor(now / o.burstEveryMs);
    const offset = streamFor(this.seed, `burst/${period}`).between(0, Math.max(0, o.burstEveryMs - o.burstLengthMs));
    const into = now - period * o.burstEveryMs;
    return into >= offset && into < offset + o.burstLengthMs;
  }
}
