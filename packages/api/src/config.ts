import { z } from 'zod';
import { kieAccountsFromEnv } from './kie/accounts.ts';
import type { ServerOptions } from './server.ts';

/** Unset and empty are the same thing for an environment variable. */
const opt = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (v === '' ? undefined : v), schema.optional());

const EnvSchema = z.object({
  PORT: opt(z.string().regex(/^\d{1,5}$/, 'must be a port number (0-65535)').transform(Number).refine((n) => n <= 65535, 'must be a port number (0-65535)')),
  HOST: opt(z.string()),
  CLIPFLEET_DB: opt(z.string()),
  CLIPFLEET_STANDBY: opt(z.enum(['0', '1', 'true', 'false'], { error: 'must be 1 or 0' }).transform((v) => v === '1' || v === 'true')),
  TIME_SCALE: opt(z.string().regex(/^\d+(\.\d+)?$/, 'must be a positive number').transform(Number).refine((n) => n > 0 && n <= 1_000_000, 'must be a positive number up to 1000000')),
  SIM_SEED: opt(z.string().regex(/^\d+$/, 'must be a whole number').transform(Number)),
  SIM_LATENCY: opt(z.enum(['seed', 'field'], { error: 'must be "seed" or "field"' })),
  SIM_FAULTS: opt(z.string()),
  KIE_API_KEY: opt(z.string()),
  KIE_ACCOUNTS: opt(z.string()),
  SIM_ACCOUNTS: opt(z.string().regex(/^\d+$/, 'must be a whole number of simulated KIE accounts').transform(Number).refine((n) => n >= 1 && n <= 100, 'must be 1-100')),
  KIE_BASE_URL: opt(z.url({ error: 'must be a URL' })),
  PUBLIC_URL: opt(z.url({ error: 'must be a URL' })),
  KIE_WEBHOOK_KEY: opt(z.string()),
  ADMIN_KEY: opt(z.string().min(32, 'must be at least 32 characters (use a random one; when unset, one is generated)')),
  DEV_CREDITS: opt(z.string().regex(/^\d+$/, 'must be a whole number').transform(Number)),
  WEB_DIST: opt(z.string()),
  LOG_LEVEL: opt(z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { error: 'must be fatal, error, warn, info, debug, trace or silent' })),
  RESULT_RETENTION_DAYS: opt(z.string().regex(/^\d+(\.\d+)?$/, 'must be a number of days (0 keeps results forever)').transform(Number)),
  RESULTS_DIR: opt(z.string()),
  RESULT_MAX_MB: opt(z.string().regex(/^\d+$/, 'must be a whole number of megabytes').transform(Number).refine((n) => n > 0, 'must be at least 1')),
});

/** A bad environment value: the message is one line naming the variable. */
export class EnvError extends Error {
  override name = 'EnvError';
}

/** Server options from the environment (see README "Configuration"). */
export function optionsFromEnv(env: NodeJS.ProcessEnv, defaults: { webDist?: string } = {}): ServerOptions {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = String(issue.path[0] ?? 'environment');
    throw new EnvError(`${name}=${JSON.stringify(env[name] ?? '')}: ${issue.message}`);
  }
  const e = parsed.data;
  if (e.KIE_API_KEY && e.KIE_ACCOUNTS) throw new EnvError('KIE_ACCOUNTS: set either KIE_API_KEY (one account) or KIE_ACCOUNTS, not both');
  let accounts;
  try {
    accounts = e.KIE_ACCOUNTS ? kieAccountsFromEnv(e.KIE_ACCOUNTS, env) : undefined;
  } catch (err) {
    throw new EnvError(`KIE_ACCOUNTS${(err as Error).message.startsWith('[') ? '' : ': '}${(err as Error).message}`);
  }
  const key = e.KIE_API_KEY ? { apiKey: e.KIE_API_KEY } : accounts ? { accounts } : undefined;
  return {
    port: e.PORT ?? 3000,
    host: e.HOST ?? '0.0.0.0',
    dbPath: e.CLIPFLEET_DB ?? './data/clipfleet.db',
    standby: e.CLIPFLEET_STANDBY ?? false,
    kie: key
      ? // TIME_SCALE with a KIE key: KIE_BASE_URL is a simulator running that much faster.
        { mode: 'real', ...key, baseUrl: e.KIE_BASE_URL ?? 'https://api.kie.ai', timeScale: e.TIME_SCALE ?? 1 }
      : {
          mode: 'sim',
          timeScale: e.TIME_SCALE ?? 20,
          seed: e.SIM_SEED ?? 1,
          ...(e.SIM_LATENCY ? { latency: e.SIM_LATENCY } : {}),
          ...(e.SIM_FAULTS ? { faults: e.SIM_FAULTS } : {}),
          ...(e.SIM_ACCOUNTS ? { accounts: e.SIM_ACCOUNTS } : {}),
        },
    ...(e.PUBLIC_URL ? { publicUrl: e.PUBLIC_URL } : {}),
    ...(e.KIE_WEBHOOK_KEY ? { webhookKey: e.KIE_WEBHOOK_KEY } : {}),
    ...(e.ADMIN_KEY ? { adminKey: e.ADMIN_KEY } : {}),
    devCredits: e.DEV_CREDITS ?? 10_000,
    ...(e.RESULT_RETENTION_DAYS !== undefined || e.RESULT_MAX_MB !== undefined || e.RESULTS_DIR !== undefined
      ? {
          results: {
            ...(e.RESULTS_DIR !== undefined ? { dir: e.RESULTS_DIR } : {}),
            ...(e.RESULT_RETENTION_DAYS !== undefined ? { retentionMs: Math.round(e.RESULT_RETENTION_DAYS * 24 * 3600_000) } : {}),
            ...(e.RESULT_MAX_MB !== undefined ? { maxBytes: e.RESULT_MAX_MB * 1024 * 1024 } : {}),
          },
        }
      : {}),
    ...(e.WEB_DIST ? { webDist: e.WEB_DIST } : defaults.webDist ? { webDist: defaults.webDist } : {}),
    logger: { level: e.LOG_LEVEL ?? 'info' },
  };
}
