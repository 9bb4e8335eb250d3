import { ProviderAccountSchema, type KieGateway, type ProviderAccountConfig } from '@clipfleet/engine';
import { z } from 'zod';

/** A KIE account as the host runs it: the engine's caps plus its secrets (never stored, never logged). */
export interface KieAccount extends ProviderAccountConfig {
  apiKey: string;
  /** Signs this account's callbacks; KIE_WEBHOOK_KEY when absent. */
  webhookKey?: string;
}

/**
 * KIE_ACCOUNTS: a JSON list of accounts. Keys are named, not written: `keyEnv` is the environment variable that
 * holds the account's API key (and `webhookKeyEnv` its callback signing key), so the list itself is no secret.
 */
export const KieAccountsEnvSchema = z
  .array(
    // The engine's account schema: one definition of the caps and of a valid id.
    ProviderAccountSchema.extend({
      keyEnv: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'must be an environment variable name'),
      webhookKeyEnv: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'must be an environment variable name').optional(),
    }),
  )
  .min(1, 'must list at least one account')
  .superRefine((accounts, ctx) => {
    const seen = new Set<string>();
    accounts.forEach((a, i) => {
      if (seen.has(a.id)) ctx.addIssue({ code: 'custom', message: `duplicate account "${a.id}"`, path: [i, 'id'] });
      seen.add(a.id);
    });
  });

/** Parses KIE_ACCOUNTS and reads each key from `env`; throws one line naming the field or variable at fault. */
export function kieAccountsFromEnv(json: string, env: NodeJS.ProcessEnv): KieAccount[] {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw new Error('must be a JSON list of accounts, e.g. [{"id":"main","keyEnv":"KIE_KEY_MAIN"}]');
  }
  const parsed = KieAccountsEnvSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(issue.path.length > 0 ? `[${String(issue.path[0])}]${issue.path.slice(1).map((p) => `.${String(p)}`).join('')}: ${issue.message}` : issue.message);
  }
  return parsed.data.map(({ keyEnv, webhookKeyEnv, ...caps }, i) => {
    const apiKey = env[keyEnv];
    if (!apiKey) throw new Error(`[${i}].keyEnv: ${keyEnv} is not set (it must hold account "${caps.id}"'s KIE API key)`);
    const webhookKey = webhookKeyEnv ? env[webhookKeyEnv] : undefined;
    if (webhookKeyEnv && !webhookKey) throw new Error(`[${i}].webhookKeyEnv: ${webhookKeyEnv} is not set`);
    return { ...caps, apiKey, ...(webhookKey ? { webhookKey } : {}) };
  });
}

/** The engine's view of the accounts: caps only. */
export function accountCaps(accounts: readonly KieAccount[]): ProviderAccountConfig[] {
  return accounts.map(({ apiKey: _key, webhookKey: _webhook, ...caps }) => caps);
}

/**
 * One gateway over a client per account: createTask goes to the account the engine's permit is for, getTask to the
 * account that created the job (a row stored before accounts existed has none: the first account, the old key).
 */
export function accountGateway(clients: ReadonlyMap<string, KieGateway>): KieGateway {
  const first = clients.values().next().value as KieGateway;
  const unknown = (accountId: string) => ({ ok: false as const, error: { code: 401, message: `no KIE key for account "${accountId}" (it left KIE_ACCOUNTS)` } });
  return {
    createTask: (req) => clients.get(req.accountId)?.createTask(req) ?? Promise.resolve(unknown(req.accountId)),
    getTask: (remoteTaskId, task, accountId) => {
      const client = accountId === undefined ? first : clients.get(accountId);
      return client?.getTask(remoteTaskId, task, accountId) ?? Promise.resolve(unknown(accountId!));
    },
  };
}
