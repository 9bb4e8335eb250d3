import { Command, InvalidArgumentError } from 'commander';
import { isPostgresUrl } from '../db/database.ts';
import { startLocalCluster } from './local.ts';

/**
 * `npm run cluster`: a local cluster of N workers and M API processes on one Postgres (CLIPFLEET_DB when it is a
 * postgres:// URL, else an embedded server thrown away at exit), against KIE (KIE_API_KEY / KIE_BASE_URL) or the
 * simulator's HTTP face with its own accounts. Ctrl-C stops every process cleanly.
 */
const count = (min: number) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`must be a whole number, at least ${min}`);
  return n;
};

const program = new Command('cluster')
  .option('--workers <n>', 'worker processes', count(1), 3)
  .option('--apis <n>', 'API processes', count(1), 2)
  .option('--accounts <n>', 'simulated KIE accounts (with the simulator)', count(1), 2)
  .option('--time-scale <x>', 'real time sped up this much (simulator and engines)', count(1), 20)
  .option('--port <port>', 'first API process port (the next ones follow)', count(1), 3000)
  .option('--lease-ms <ms>', "how long a dead worker's users wait for a new owner", count(500))
  .parse();
const opts = program.opts<{ workers: number; apis: number; accounts: number; timeScale: number; port: number; leaseMs?: number }>();

const env = process.env;
const dbUrl = env.CLIPFLEET_DB && isPostgresUrl(env.CLIPFLEET_DB) ? env.CLIPFLEET_DB : undefined;
if (env.CLIPFLEET_DB && !dbUrl) console.error(`cluster: CLIPFLEET_DB is not a postgres:// URL; using an embedded Postgres instead`);
const cluster = await startLocalCluster({
  workers: opts.workers,
  apis: opts.apis,
  accounts: opts.accounts,
  timeScale: opts.timeScale,
  basePort: opts.port,
  ...(dbUrl ? { dbUrl } : {}),
  ...(opts.leaseMs ? { leaseMs: opts.leaseMs } : {}),
  ...(env.KIE_API_KEY ? { kie: { apiKey: env.KIE_API_KEY, baseUrl: env.KIE_BASE_URL ?? 'https://api.kie.ai' } } : {}),
  onOutput: (name, line) => console.log(`[${name}] ${line}`),
}).catch((err: Error) => {
  console.error(`cluster: cannot start: ${err.message.split('\n')[0]}`);
  process.exit(1);
});

console.log(`\nClipFleet cluster: ${cluster.workers.length} worker(s), ${cluster.apis.length} API process(es) on ${dbUrl ? 'CLIPFLEET_DB' : 'an embedded Postgres'}`);
for (const p of cluster.apis) console.log(`  ${p.name}: ${p.url} (web client and tRPC)`);
for (const p of cluster.workers) console.log(`  ${p.name}: ${p.url}/health (pid ${p.child.pid})`);
if (cluster.sim) console.log(`  KIE: simulator at ${cluster.sim.url} with ${cluster.accountKeys.length} account(s), ${opts.timeScale}x real time`);
console.log(`  admin key: ${cluster.adminKey}`);
if (cluster.devApiKey) console.log(`  dev user API key: ${cluster.devApiKey}`);
console.log('Ctrl-C stops the cluster.');

let stopping = false;
const shutdown = () => {
  if (stopping) return;
  stopping = true;
  console.log('stopping the cluster');
  cluster.stop().then(
    () => process.exit(0),
    (err: Error) => {
      console.error(`cluster: stop failed: ${err.message}`);
      process.exit(1);
    },
  );
};
process.once('SIGINT', shutdown);
process.once('SIGTERM', shutdown);
