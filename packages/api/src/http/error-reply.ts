import type { FastifyInstance } from 'fastify';
import { transportError } from '../errors.ts';

/** How much of an oversized body is read (and thrown away) so the client can read the 413; past it, the connection is cut. */
const DRAIN_LIMIT = 256 * 1024 * 1024;

/**
 * The HTTP routes' error replies (tRPC has its own, `trpc/init.ts`), both from the one mapping of domain errors:
 * - a domain error a route throws (`invalid`, `notFound`, `unauthorized`, ...) answers `transportError`'s status
 *   with `{ error, message }`, as the seed's REST route always has, and a throttle's Retry-After;
 * - an oversized body gets a readable 413 naming the limit. Fastify refuses it before reading it, and a client
 *   still uploading then sees a connection reset instead of the answer: the rest of the body is read and
 *   discarded (up to a bound) before the reply goes out.
 * Anything else goes on to fastify's default handler (a 500, logged).
 */
export function registerErrorReplies(app: FastifyInstance, bodyLimit: number): void {
  app.setErrorHandler(async (error: { code?: string; statusCode?: number; message: string }, req, reply) => {
    const mapped = transportError(error);
    if (mapped) {
      if (mapped.retryAfterS !== undefined) reply.header('retry-after', String(mapped.retryAfterS));
      return reply.code(mapped.http).send({ error: mapped.trpc, message: mapped.message });
    }
    if (error.code !== 'FST_ERR_CTP_BODY_TOO_LARGE') throw error;
    const limit = req.routeOptions.bodyLimit ?? bodyLimit;
    await drain(req.raw);
    return reply
      .code(413)
      .header('connection', 'close')
      .send({ error: 'PAYLOAD_TOO_LARGE', message: `request body too large: the limit for ${req.method} ${req.url.split('?')[0]} is ${limit} bytes` });
  });
}

function drain(stream: NodeJS.ReadableStream & { destroy(): void; readableEnded?: boolean }): Promise<void> {
  if (stream.readableEnded) return Promise.resolve();
  return new Promise((resolve) => {
    let read = 0;
    stream.on('data', (chunk: Buffer) => {
      read += chunk.length;
      if (read > DRAIN_LIMIT) {
        stream.destroy();
        resolve();
      }
    });
    stream.once('end', () => resolve());
    stream.once('error', () => resolve());
    stream.once('close', () => resolve());
    stream.resume();
  });
}
