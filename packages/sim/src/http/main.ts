import { parseFaults } from '../profiles/faults.ts';
import { startKieSimServer } from './server.ts';

/**
 * `npm run sim:server`: the KIE simulator over HTTP. Environment: PORT (4010), HOST (127.0.0.1),
 * SIM_SEED (1), SIM_TIME_SCALE (20), SIM_LATENCY (seed|field), SIM_FAULTS (e.g. "flaky:10,outage"),
 * SIM_API_KEYS (comma list, default sim-key), SIM_WEBHOOK_KEY, SIM_PUBLIC_BASE_URL.
 */
const env = process.env;
const latency = env.SIM_LATENCY === 'field' ? 'field' : 'seed';
const faults = env.SIM_FAULTS ?? 'none';
parseFaults(faults); // fail fast on a typo

const server = await startKieSimServer({
  port: Number(env.PORT ?? 4010),
  host: env.HOST ?? '127.0.0.1',
  seed: Number(env.SIM_SEED ?? 1),
  timeScale: Number(env.SIM_TIME_SCALE ?? 20),
  latency,
  faults,
  apiKeys: (env.SIM_API_KEYS ?? 'sim-key').split(',').map((k) => k.trim()).filter(Boolean),
  ...(env.SIM_WEBHOOK_KEY ? { webhookKey: env.SIM_WEBHOOK_KEY } : {}),
  ...(env.SIM_PUBLIC_BASE_URL ? { publicBaseUrl: env.SIM_PUBLIC_BASE_URL } : {}),
});
console.log(`KIE simulator listening on ${server.url} (latency=${latency}, faults=${faults}, timeScale=${env.SIM_TIME_SCALE ?? 20})`);
console.log(`  KIE_BASE_URL=${server.url}  KIE_API_KEY=${(env.SIM_API_KEYS ?? 'sim-key').split(',')[0]}`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    void server.close().then(() => process.exit(0));
  });
}
