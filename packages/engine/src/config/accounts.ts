import type { ProviderConfig } from './schema.ts';

/** A KIE account with every cap resolved: the engine's and the permit implementations' one view of it. */
export interface AccountLimits {
  id: string;
  createLimit: number;
  /** The window we keep: KIE's, plus our margin for arrival jitter. */
  windowMs: number;
  /** Its own cap on running jobs (null: only the global cap). */
  maxRunning: number | null;
}

/** The configured accounts, each with its caps or the provider's defaults. */
export function accountLimits(provider: ProviderConfig): AccountLimits[] {
  return provider.accounts.map((a) => ({
    id: a.id,
    createLimit: a.createLimit ?? provider.createLimit,
    windowMs: (a.createWindowMs ?? provider.createWindowMs) + provider.createWindowMarginMs,
    maxRunning: a.maxRunning ?? null,
  }));
}
