import { EventSource } from 'eventsource';
import { DEFAULT_CONFIG, parseFleetConfig, type EngineClock, type KieGateway } from '@clipfleet/engine';
import { testStorage } from './database.ts';
import { createClipFleetClient, createScaledClock, createServer, type ClipFleetServer, type ServerOptions } from '../../src/index.ts';

export interface TestServer {
  server: ClipFleetServer;
  url: string;
  admin: ReturnType<typeof createClipFleetClient>;
  client(apiKey: string): ReturnType<typeof createClipFleetClient>;
  /** A new user with credits (through the admin API) and its typed client. */
  user(credits: number, name?: string): Promise<{ userId: string; apiKey: string; client: ReturnType<typeof createClipFleetClient> }>;
  stop(): Promise<void>;
}

/**
 * The shipped configuration with the seed's model as the default for rows that name none: these tests check
 * lifecycle and credits against the seed's prices (sora-2: 15 / 20 credits). The live catalog has its own tests.
 */
export const SEED_DEFAULT_CONFIG = parseFleetConfig({ ...DEFAULT_CONFIG, catalog: { ...DEFAULT_CONFIG.catalog, defaultModel: 'sora-2' } });

/**
 * A real server on a free port with an in-process gateway; the engine clock runs `scale` times faster. Its
 * database is the test database of this pass (helpers/database.ts) unless `extra.dbPath` names one.
 */
export async function startTestServer(
  gateway: KieGateway,
  opts: { scale?: number; clock?: EngineClock; extra?: Partial<ServerOptions> } = {},
): Promise<TestServer> {
  const storage = opts.extra?.dbPath ? { dbPath: opts.extra.dbPath } : await testStorage();
  const server = createServer({
    ...storage,
    port: 0,
    devCredits: 0,
    kie: { mode: 'gateway', gateway, clock: opts.clock ?? createScaledClock(opts.scale ?? 100) },
    config: SEED_DEFAULT_CONFIG,
    ...opts.extra,
  });
  const { url } = await server.start();
  const client = (apiKey: string) => createClipFleetClient(url, apiKey, { EventSource });
  const admin = client(server.adminKey);
  return {
    server,
    url,
    admin,
    client,
    async user(credits, name = 'tester') {
      const { userId, apiKey } = await admin.admin.createUser.mutate({ name, credits });
      return { userId, apiKey, client: client(apiKey) };
    },
    stop: () => server.stop(),
  };
}

export async function waitFor<T>(probe: () => Promise<T | undefined | false | null>, what: string, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Row counts of every table a rejected request must leave untouched. */
export async function tableCounts(server: ClipFleetServer) {
  const db = server.deps!.db;
  const count = async (t: 'batches' | 'tasks' | 'credit_ledger' | 'task_events' | 'payments' | 'users') =>
    Number((await db.selectFrom(t).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  return { batches: await count('batches'), tasks: await count('tasks'), ledger: await count('credit_ledger'), events: await count('task_events') };
}
