import { timingSafeEqual } from 'node:crypto';
import type { CreateFastifyContextOptions } from '@trpc/server/adapters/fastify';
import type { AppDeps } from '../deps.ts';
import { bearerToken } from '../http/auth.ts';
import { asTRPCError } from './init.ts';

export function isAdminKey(token: string | undefined, adminKey: string): boolean {
  if (!token) return false;
  const a = Buffer.from(token);
  const b = Buffer.from(adminKey);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Queries and mutations authenticate with `Authorization: Bearer <key>`. SSE subscriptions cannot send headers
 * from a browser: they carry a short-lived stream token from `me.linkToken` in connectionParams (which tRPC puts
 * in the URL), never the API key.
 */
export function contextFactory(deps: AppDeps) {
  return async ({ req, info }: CreateFastifyContextOptions) => {
    const header = bearerToken(req.headers.authorization);
    const streamToken = info.connectionParams?.token;
    const token = header ?? (typeof streamToken === 'string' && streamToken ? streamToken : undefined);
    try {
      return { deps, ...(await deps.auth.resolve(req, token, header ? undefined : 'stream')) };
    } catch (err) {
      // Thrown before any procedure runs, so the procedures' domain-error middleware never sees it.
      throw asTRPCError(err);
    }
  };
}

export type Context = Awaited<ReturnType<ReturnType<typeof contextFactory>>>;
