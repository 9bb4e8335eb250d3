import { timingSafeEqual } from 'node:crypto';
import type { CreateFastifyContextOptions } from '@trpc/server/adapters/fastify';
import type { AppDeps } from '../deps.ts';
import { findUserByApiKey, type UserRecord } from '../store/users.ts';

/** The bearer token of a request: the Authorization header, or (SSE from browsers cannot set headers) connectionParams. */
export function bearerToken(header: string | undefined, connectionParams?: Record<string, string | undefined> | null): string | undefined {
  const match = header ? /^Bearer\s+(.+)$/i.exec(header.trim()) : null;
  if (match) return match[1]!.trim();
  const fromParams = connectionParams?.apiKey ?? connectionParams?.token;
  return typeof fromParams === 'string' && fromParams ? fromParams : undefined;
}

export function isAdminKey(token: string | undefined, adminKey: string): boolean {
  if (!token) return false;
  const a = Buffer.from(token);
  const b = Buffer.from(adminKey);
  return a.length === b.length && timingSafeEqual(a, b);
}

export async function resolveCaller(deps: AppDeps, token: string | undefined): Promise<{ user: UserRecord | null; isAdmin: boolean }> {
  if (!token) return { user: null, isAdmin: false };
  if (isAdminKey(token, deps.adminKey)) return { user: null, isAdmin: true };
  return { user: (await findUserByApiKey(deps.db, token)) ?? null, isAdmin: false };
}

export function contextFactory(deps: AppDeps) {
  return async ({ req, info }: CreateFastifyContextOptions) => {
    const token = bearerToken(req.headers.authorization, info.connectionParams);
    return { deps, ...(await resolveCaller(deps, token)) };
  };
}

export type Context = Awaited<ReturnType<ReturnType<typeof contextFactory>>>;
