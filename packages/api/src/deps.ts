import type { Db } from './db/database.ts';
import type { Fleet } from './fleet/fleet.ts';
import type { Metrics } from './metrics/index.ts';
import type { RuntimeConfig } from './runtime-config.ts';

/** What request handlers (tRPC procedures and HTTP routes) share: built once by createServer. */
export interface AppDeps {
  db: Db;
  fleet: Fleet;
  config: RuntimeConfig;
  adminKey: string;
  /** KIE callback signature key (KIE_WEBHOOK_KEY); callbacks are not verified without it. */
  webhookKey: string | undefined;
  /** Requests go to the real KIE (KIE_API_KEY set): retired models are refused up front. */
  realProvider: boolean;
  /** The in-process KIE simulator, when the server runs against it. */
  sim: SimInfo | undefined;
  metrics: Metrics;
}

export interface SimInfo {
  url: string;
  timeScale: number;
  stats: () => unknown;
}
