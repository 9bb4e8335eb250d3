import { fileURLToPath } from 'node:url';
import { EnvError, optionsFromEnv } from './config.ts';
import { DatabaseTargetError } from './db/database.ts';
import { createServer } from './server.ts';

const DEFAULT_WEB_DIST = fileURLToPath(new URL('../../web/dist', import.meta.url));

/**
 * `npm start`: configuration from the environment, then the server. A bad value or an unusable database exits
 * non-zero with one clear line; SIGINT/SIGTERM stop it cleanly (a kill -9 is survived by the crash-safe resume).
 */
export async function runFromEnv(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  let server;
  try {
    server = createServer(optionsFromEnv(env, { webDist: DEFAULT_WEB_DIST }));
    const { url } = await server.start();
    const resumed = server.deps?.fleet.resumed.length ?? 0;
    console.log(`ClipFleet API listening on ${url} (tRPC at ${url}/trpc)${resumed ? `; resumed ${resumed} unfinished batch(es)` : ''}`);
    if (server.deps?.sim) console.log(`KIE: simulator at ${server.deps.sim.url}, ${server.deps.sim.timeScale}x real time`);
    if (server.devApiKey) console.log(`Dev user created. API key (shown once): ${server.devApiKey}`);
    if (!env.ADMIN_KEY) console.log(`Admin key for this run (set ADMIN_KEY to fix it): ${server.adminKey}`);
  } catch (err) {
    const first = (err as Error).message.split('\n')[0];
    const message = err instanceof EnvError ? err.message : err instanceof DatabaseTargetError ? `CLIPFLEET_DB: ${first}` : first;
    console.error(`clipfleet: cannot start: ${message}`);
    process.exit(1);
  }
  const running = server;
  const shutdown = (signal: string) => {
    console.log(`${signal}: stopping`);
    running.stop().then(
      () => process.exit(0),
      (err) => {
        console.error('clipfleet: stop failed:', (err as Error).message);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}
