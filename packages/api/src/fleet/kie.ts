import { randomBytes } from 'node:crypto';
import type { Catalog, EngineClock, KieGateway } from '@clipfleet/engine';
import { startKieSimServer, type FaultSpec, type LatencyProfileName } from '@clipfleet/sim';
import type { SimInfo } from '../deps.ts';
import { createKieHttpGateway } from '../kie/index.ts';
import { createScaledClock } from './clock.ts';

/** Where the fleet's KIE calls go. */
export type KieMode =
  /** The simulator's HTTP face, in-process on a loopback port, driven through the real KIE client. */
  | { mode: 'sim'; timeScale?: number; seed?: number; latency?: LatencyProfileName; faults?: FaultSpec }
  /**
   * The real KIE API. `timeScale` (default 1) is only for a KIE-compatible simulator running sped up elsewhere
   * (`npm run sim:server`, or a test's): the engine clock then runs at the same speed.
   */
  | { mode: 'real'; apiKey: string; baseUrl?: string; timeScale?: number }
  /** Any gateway (tests, benchmarks): the engine clock defaults to wall time. */
  | { mode: 'gateway'; gateway: KieGateway; clock?: EngineClock };

export interface KieConnection {
  gateway: KieGateway;
  clock: EngineClock;
  /** Whether KIE will call back (then polling is only a backstop). */
  callbacks: boolean;
  sim: SimInfo | undefined;
  close(): Promise<void>;
}

/** An API-only process calls no KIE (its workers do): only whether KIE calls back matters to it. */
export function noKieConnection(opts: { publicUrl?: string | undefined; kie: KieMode }): KieConnection {
  const refuse = async () => ({ ok: false as const, error: { code: 500, message: 'this process runs no worker: it calls no KIE' } });
  const timeScale = opts.kie.mode === 'gateway' ? 1 : (opts.kie.timeScale ?? 1);
  return { gateway: { createTask: refuse, getTask: refuse }, clock: createScaledClock(timeScale), callbacks: Boolean(opts.publicUrl), sim: undefined, close: async () => {} };
}

export async function connectKie(
  kie: KieMode,
  opts: { publicUrl?: string | undefined; webhookKey?: string | undefined; catalog: () => Catalog },
): Promise<KieConnection> {
  const callBackUrl = opts.publicUrl ? `${opts.publicUrl.replace(/\/+$/, '')}/kie/callback` : undefined;
  if (kie.mode === 'gateway') {
    return { gateway: kie.gateway, clock: kie.clock ?? createScaledClock(1), callbacks: false, sim: undefined, close: async () => {} };
  }
  if (kie.mode === 'real') {
    const gateway = createKieHttpGateway({
      baseUrl: kie.baseUrl ?? 'https://api.kie.ai',
      apiKey: kie.apiKey,
      ...(callBackUrl ? { callBackUrl } : {}),
      get catalog() {
        return opts.catalog();
      },
    });
    return { gateway, clock: createScaledClock(kie.timeScale ?? 1), callbacks: Boolean(callBackUrl), sim: undefined, close: async () => {} };
  }
  const timeScale = kie.timeScale ?? 20;
  const apiKey = `sim_${randomBytes(16).toString('hex')}`;
  const server = await startKieSimServer({
    port: 0,
    host: '127.0.0.1',
    seed: kie.seed ?? 1,
    timeScale,
    apiKeys: [apiKey],
    ...(opts.webhookKey ? { webhookKey: opts.webhookKey } : {}),
    ...(kie.latency ? { latency: kie.latency } : {}),
    ...(kie.faults !== undefined ? { faults: kie.faults } : {}),
  });
  const gateway = createKieHttpGateway({
    baseUrl: server.url,
    apiKey,
    ...(callBackUrl ? { callBackUrl } : {}),
    get catalog() {
      return opts.catalog();
    },
  });
  return {
    gateway,
    // The engine's clock runs at the simulator's speed: the whole system is real life sped up.
    clock: createScaledClock(timeScale),
    callbacks: Boolean(callBackUrl),
    sim: { url: server.url, timeScale, stats: () => server.stats() },
    close: () => server.close(),
  };
}
