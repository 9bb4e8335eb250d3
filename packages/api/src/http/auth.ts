import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppDeps } from '../deps.ts';
import { bearerToken } from '../trpc/context.ts';
import { findUserByApiKey, type UserRecord } from '../store/users.ts';

/** The caller of a plain HTTP route (Bearer header, or `?key=` for links such as a ZIP download), or a 401 reply. */
export async function requireUser(deps: AppDeps, req: FastifyRequest, reply: FastifyReply): Promise<UserRecord | undefined> {
  const query = req.query as Record<string, unknown> | undefined;
  const token = bearerToken(req.headers.authorization) ?? (typeof query?.key === 'string' ? query.key : undefined);
  const user = token ? await findUserByApiKey(deps.db, token) : undefined;
  if (!user) {
    await reply.code(401).send({ error: 'UNAUTHORIZED', message: 'missing or invalid API key: send Authorization: Bearer <api key>' });
    return undefined;
  }
  return user;
}
