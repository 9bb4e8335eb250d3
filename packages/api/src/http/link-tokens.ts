import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Short-lived signed tokens for the places a header cannot go: an SSE connection (EventSource sends no headers,
 * tRPC puts connectionParams in the URL) and a download link the browser follows. Minted by an authenticated
 * call, valid for one purpose and a limited time, so the long-lived API key never appears in a URL, a log or
 * the browser history. The secret is per process: a restart invalidates them, and clients mint a new one.
 */
export type LinkScope = 'stream' | 'download';

export interface LinkTokenClaims {
  userId: string;
  scope: LinkScope;
  /** Expiry, Unix ms. */
  exp: number;
}

/**
 * A download link is followed at once. A stream token opens a connection that may last hours; the browser's
 * EventSource reconnects after a short drop with the same URL, so it must stay valid a while (the tRPC client
 * mints a fresh one whenever it reconnects by itself, after a minute without data).
 */
export const LINK_TOKEN_TTL_MS: Record<LinkScope, number> = { download: 5 * 60_000, stream: 60 * 60_000 };

export class LinkTokens {
  private readonly secret = randomBytes(32);

  constructor(private readonly ttlMs: Record<LinkScope, number> = LINK_TOKEN_TTL_MS) {}

  mint(userId: string, scope: LinkScope, now = Date.now()): { token: string; expiresAt: number } {
    const exp = now + this.ttlMs[scope];
    const payload = Buffer.from(JSON.stringify({ u: userId, s: scope, e: exp })).toString('base64url');
    return { token: `lt.${payload}.${this.sign(payload)}`, expiresAt: exp };
  }

  /** The claims of a valid, unexpired token of this scope; undefined otherwise. */
  verify(token: string, scope: LinkScope, now = Date.now()): LinkTokenClaims | undefined {
    const [prefix, payload, signature] = token.split('.');
    if (prefix !== 'lt' || !payload || !signature) return undefined;
    const given = Buffer.from(signature, 'base64url');
    const expected = Buffer.from(this.sign(payload), 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    try {
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as { u?: unknown; s?: unknown; e?: unknown };
      if (typeof claims.u !== 'string' || claims.s !== scope || typeof claims.e !== 'number' || claims.e <= now) return undefined;
      return { userId: claims.u, scope, exp: claims.e };
    } catch {
      return undefined;
    }
  }

  static looksLikeOne(token: string): boolean {
    return token.startsWith('lt.');
  }

  private sign(payload: string): string {
    return createHmac('sha256', this.secret).update(payload).digest('base64url');
  }
}
