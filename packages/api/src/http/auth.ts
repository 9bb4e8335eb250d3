import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppDeps } from '../deps.ts';
import { findUserByApiKey, getUser, type UserRecord } from '../store/users.ts';
import { tooManyRequests, unauthorized } from '../errors.ts';
import { isAdminKey } from '../trpc/context.ts';
import { LinkTokens, type LinkScope } from './link-tokens.ts';

export interface Caller {
  user: UserRecord | null;
  isAdmin: boolean;
}

/** Too many failed attempts from one address: nothing it sends is checked until the window has passed. */

export interface FailedAuthLimit {
  /** Failed attempts allowed per address and window. */
  max: number;
  windowMs: number;
}

export const DEFAULT_FAILED_AUTH_LIMIT: FailedAuthLimit = { max: 20, windowMs: 60_000 };

type Check = (req: FastifyRequest, opts?: { increment?: boolean }) => Promise<{ isAllowed: boolean; isExceeded?: boolean; remaining?: number; ttlInSeconds?: number }>;

/**
 * Who is calling, for tRPC and the plain routes alike: the admin key or an API key in the Authorization
 * header, or a short-lived link token (SSE, download links). Failed attempts are counted per client address
 * with @fastify/rate-limit; an address over the limit gets 429 without its credentials being checked (so a
 * burst of guesses learns nothing), while every other address, the right key's owner's included, gets in.
 */
export class Authenticator {
  readonly links = new LinkTokens();
  private failures: Check | undefined;

  constructor(
    private readonly deps: Pick<AppDeps, 'db' | 'adminKey'>,
    private readonly limit: FailedAuthLimit = DEFAULT_FAILED_AUTH_LIMIT,
  ) {}

  async register(app: FastifyInstance): Promise<void> {
    if (!app.hasDecorator('createRateLimit')) await app.register(rateLimit, { global: false });
    this.failures = app.createRateLimit({ max: this.limit.max, timeWindow: this.limit.windowMs, keyGenerator: (req) => req.ip }) as Check;
  }

  /** The caller behind `token` (header credential, or a link token of `linkScope`). Throws a tooManyRequests domain error while the address is throttled. */
  async resolve(req: FastifyRequest, token: string | undefined, linkScope?: LinkScope): Promise<Caller> {
    if (!token) return { user: null, isAdmin: false };
    const failures = this.failures!;
    const before = await failures(req, { increment: false });
    if (before.remaining === 0) throw this.throttled(before);
    const caller = await this.check(token, linkScope);
    if (!caller.user && !caller.isAdmin) {
      const after = await failures(req);
      if (after.isExceeded) throw this.throttled(after);
    }
    return caller;
  }

  /** The domain error for a throttled address, with the seconds until its window lets it try again. */
  private throttled(result: Awaited<ReturnType<Check>>): Error {
    const retryAfterS = result.ttlInSeconds ?? Math.ceil(this.limit.windowMs / 1000);
    return tooManyRequests(`too many failed authentication attempts from this address: try again in ${retryAfterS} s`, retryAfterS);
  }

  private async check(token: string, linkScope: LinkScope | undefined): Promise<Caller> {
    if (LinkTokens.looksLikeOne(token)) {
      const claims = linkScope ? this.links.verify(token, linkScope) : undefined;
      const user = claims ? await getUser(this.deps.db, claims.userId) : undefined;
      return { user: user ?? null, isAdmin: false };
    }
    if (isAdminKey(token, this.deps.adminKey)) return { user: null, isAdmin: true };
    return { user: (await findUserByApiKey(this.deps.db, token)) ?? null, isAdmin: false };
  }
}

/** The Authorization header's bearer token. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = header ? /^Bearer\s+(.+)$/i.exec(header.trim()) : null;
  return match ? match[1]!.trim() : undefined;
}

/**
 * The user of a plain HTTP route: `Authorization: Bearer <api key>`, or, on routes for links (`link: 'download'`),
 * `?token=` holding a download token from `me.linkToken`, never the API key itself. Otherwise it throws the
 * domain error (unauthorized, or tooManyRequests while the address is throttled) the routes' error reply answers.
 */
export async function requireUser(deps: AppDeps, req: FastifyRequest, opts: { link?: LinkScope } = {}): Promise<UserRecord> {
  const query = req.query as Record<string, unknown> | undefined;
  const header = bearerToken(req.headers.authorization);
  const linkToken = opts.link && typeof query?.token === 'string' ? query.token : undefined;
  const { user } = await deps.auth.resolve(req, header ?? linkToken, header ? undefined : opts.link);
  if (user) return user;
  throw unauthorized(`missing or invalid credentials: send Authorization: Bearer <api key>${opts.link ? ', or ?token= from me.linkToken' : ''}`);
}
