import { randomBytes } from 'node:crypto';
import type { Catalog, EngineClock, KieGateway } from '@clipfleet/engine';
import { startKieSimServer, type FaultSpec, type LatencyProfileName } from '@clipfleet/sim';
import type { SimInfo } from '../deps.ts';
import { accountGateway, type KieAccount } from '../kie/accounts.ts';
import { createKieHttpGateway } from '../kie/index.ts';
import { createScaledClock } from './clock.ts';

/** Where the fleet's KIE calls go. */
export type KieMode =
  /**
   * The simulator's HTTP face, in-process on a loopback port, driven through the real KIE client; `accounts`
   * simulated KIE accounts (default 1), each with its own key and window.
   */
  | { mode: 'sim'; timeScale?: number; seed?: number; latency?: LatencyProfileName; faults?: FaultSpec; accounts?: number }
  /**
   * The real KIE API: one key (KIE_API_KEY, the account `default`) or several accounts (KIE_ACCOUNTS).
   * `timeScale` (default 1) is only for a KIE-compatible simulator running sped up elsewhere
   * (`npm run sim:server`, or a test's): the engine clock then runs at the same speed.
   */
  | ({ mode: 'real'; baseUrl?: string; timeScale?: number } & ({ apiKey: string } | { accounts: KieAccount[] }))
  /** Any gateway (tests, benchmarks): the engine clock defaults to wall time. */
  | { mode: 'gateway'; gateway: KieGateway; clock?: EngineClock };

export interface KieConnection {
  /** Routes each call to its account's client (createTask by the permit's account, getTask by the job's). */
  gateway: KieGateway;
  /** The accounts, in the configured order (the engine's provider.accounts are derived from them); null: an injected gateway, the configured accounts stand. */
  accounts: KieAccount[] | null;
  clock: EngineClock;
  /** Whether KIE will call back (then polling is only a backstop). */
  callbacks: boolean;
  sim: SimInfo | undefined;
  close(): Promise<void>;
}

/** The accounts of a KIE mode (one key is the account `default`). */
export function kieAccounts(kie: Extract<KieMode, { mode: 'real' }>): KieAccount[] {
  return 'accounts' in kie ? kie.accounts : [{ id: 'default', apiKey: kie.apiKey }];
}

/** Each account's callbacks come to its own URL, so a callback is checked against the account that created the job. */
export function callbackUrlFor(publicUrl: string, accountId: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/kie/callback/${accountId}`;
}

export async function connectKie(
  kie: KieMode,
  opts: { publicUrl?: string | undefined; webhookKey?: string | undefined; catalog: () => Catalog },
): Promise<KieConnection> {
  const clientsFor = (baseUrl: string, accounts: KieAccount[]) =>
    accountGateway(
      new Map(
        accounts.map((a) => [
          a.id,
          createKieHttpGateway({
            baseUrl,
            apiKey: a.apiKey,
            ...(opts.publicUrl ? { callBackUrl: callbackUrlFor(opts.publicUrl, a.id) } : {}),
            get catalog() {
              return opts.catalog();
            },
          }),
        ]),
      ),
    );
  const callbacks = Boolean(opts.publicUrl);
  if (kie.mode === 'gateway') {
    return { gateway: kie.gateway, accounts: null, clock: kie.clock ?? createScaledClock(1), callbacks: false, sim: undefined, close: async () => {} };
  }
  if (kie.mode === 'real') {
    const accounts = kieAccounts(kie);
    const gateway = clientsFor(kie.baseUrl ?? 'https://api.kie.ai', accounts);
    return { gateway, accounts, clock: createScaledClock(kie.timeScale ?? 1), callbacks, sim: undefined, close: async () => {} };
  }
  const timeScale = kie.timeScale ?? 20;
  const count = kie.accounts ?? 1;
  const accounts: KieAccount[] = Array.from({ length: count }, (_, i) => ({
    id: count === 1 ? 'default' : `sim-${i + 1}`,
    apiKey: `sim_${randomBytes(16).toString('hex')}`,
  }));
  const server = await startKieSimServer({
    port: 0,
    host: '127.0.0.1',
    seed: kie.seed ?? 1,
    timeScale,
    apiKeys: accounts.map((a) => a.apiKey),
    ...(opts.webhookKey ? { webhookKey: opts.webhookKey } : {}),
    ...(kie.latency ? { latency: kie.latency } : {}),
    ...(kie.faults !== undefined ? { faults: kie.faults } : {}),
  });
  return {
    gateway: clientsFor(server.url, accounts),
    accounts,
    // The engine's clock runs at the simulator's speed: the whole system is real life sped up.
    clock: createScaledClock(timeScale),
    callbacks,
    sim: { url: server.url, timeScale, stats: () => server.stats() },
    close: () => server.close(),
  };
}
