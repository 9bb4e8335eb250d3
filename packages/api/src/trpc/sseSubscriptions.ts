import { PassThrough } from 'node:stream';
import { fastifyRequestHandler, type FastifyTRPCPluginOptions } from '@trpc/server/adapters/fastify';
import { incomingMessageToRequest } from '@trpc/server/adapters/node-http';
import {
  getErrorShape,
  getProcedureAtPath,
  getRequestInfo,
  getTRPCErrorFromUnknown,
  isAbortError,
  isTrackedEnvelope,
  sseHeaders,
  type AnyRouter,
  type TRPCRequestInfo,
} from '@trpc/server/unstable-core-do-not-import';
import type { FastifyInstance, FastifyReply } from 'fastify';

/**
 * Serves some tRPC subscriptions over SSE itself, in the format of tRPC's own SSE responses (what
 * httpSubscriptionLink reads: a `connected` event with the client options, one message per yielded value with its
 * `tracked` id, `ping` while idle, `return` at the end, `serialized-error` for an error), with tRPC's own request
 * parsing, context, procedure call (middlewares, input validation) and error shapes.
 *
 * Why: tRPC sends each message through five async generators, a framing and an encoding transform stream, a
 * reader and three socket writes, and serializes it per subscriber. With 200 subscribers of one batch that was
 * about 100 µs of CPU per delivered event, and the event loop stalled for tens of milliseconds per burst. Here a
 * yielded value shared by several streams (an event, a replayed page: the same object for every subscriber) is
 * serialized and encoded once, its bytes written as they are to every connection, and each connection's messages
 * of one burst of microtasks go out in one write.
 *
 * Backpressure: the next value is pulled only once the connection took the previous ones (the stream's buffer is
 * under its high-water mark), as tRPC's pull-based streams do.
 */
export async function registerSseSubscriptions<TRouter extends AnyRouter>(
  app: FastifyInstance,
  opts: {
    prefix: string;
    paths: readonly string[];
    trpcOptions: FastifyTRPCPluginOptions<TRouter>['trpcOptions'];
    /** Awaited before a connection is set up: spreads a crowd connecting at once over the event loop's rounds. */
    admit?: () => Promise<void>;
  },
): Promise<void> {
  const { router } = opts.trpcOptions;
  for (const path of opts.paths) {
    if ((await getProcedureAtPath(router, path))?._def.type !== 'subscription') throw new Error(`SSE: ${path} is not a subscription of the router`);
  }
  const config = router._def._config;
  const framing = new SseFraming((data) => JSON.stringify(config.transformer.output.serialize(data)));
  const connected = Buffer.from(`event: connected\ndata: ${JSON.stringify(config.sse?.client ?? {})}\n\n`);
  const pingMs = config.sse?.ping?.enabled ? (config.sse.ping.intervalMs ?? 1000) : 0;

  for (const path of opts.paths) {
    app.get(`${opts.prefix}/${path}`, { exposeHeadRoute: false }, async (req, reply) => {
      await opts.admit?.();
      const request = incomingMessageToRequest(req.raw, reply.raw, { maxBodySize: null });
      const url = new URL(request.url);
      let info: TRPCRequestInfo;
      try {
        info = await getRequestInfo({ req: request, path, router, searchParams: url.searchParams, headers: request.headers, url });
      } catch {
        // A request tRPC cannot parse (input, connection params) is answered by tRPC itself: nothing ran yet.
        return fastifyRequestHandler({ ...opts.trpcOptions, req, res: reply, path });
      }
      const call = info.calls[0]!;
      // Aborted when the client goes away (the response closes).
      const { signal } = request;
      let ctx: unknown;
      const fail = (cause: unknown) => {
        const error = getTRPCErrorFromUnknown(cause);
        const input = call.result();
        opts.trpcOptions.onError?.({ error, path, input, ctx: ctx as never, type: 'subscription', req });
        return framing.error(getErrorShape({ config, ctx: ctx as never, error, input, path, type: 'subscription' }));
      };

      const out = new SseOut(reply, pingMs);
      out.send(connected);
      let stream: AsyncIterable<unknown> | undefined;
      try {
        ctx = await opts.trpcOptions.createContext!({ req, res: reply, info } as never);
        stream = (await call.procedure!({ path, getRawInput: call.getRawInput, ctx, type: 'subscription', signal, batchIndex: 0 })) as AsyncIterable<unknown>;
      } catch (cause) {
        out.send(fail(cause));
        out.end();
        return reply;
      }
      void pump(stream, out, framing, signal, fail);
      return reply;
    });
  }
}

/** Writes the stream's values until it ends, the client leaves or it fails (then its error, as tRPC sends it). */
async function pump(stream: AsyncIterable<unknown>, out: SseOut, framing: SseFraming, signal: AbortSignal, fail: (cause: unknown) => Buffer): Promise<void> {
  const it = stream[Symbol.asyncIterator]();
  try {
    for (;;) {
      const next = await it.next();
      if (next.done || signal.aborted) break;
      out.send(framing.message(next.value));
      await out.room(signal);
    }
    if (!signal.aborted) out.send(RETURN);
  } catch (cause) {
    if (!signal.aborted && !isAbortError(cause)) out.send(fail(cause));
  } finally {
    out.end();
    await it.return?.()?.catch(() => {});
  }
}

const RETURN = Buffer.from('event: return\ndata: \n\n');
const PING = Buffer.from('event: ping\ndata: \n\n');

/**
 * SSE messages as bytes. A value that is an object is immutable once yielded here (events, pages of events), so
 * its bytes are kept with it (weakly) and every stream yielding the same object writes the same bytes.
 */
export class SseFraming {
  private readonly shared = new WeakMap<object, { id: string | undefined; bytes: Buffer }>();

  constructor(private readonly json: (data: unknown) => string) {}

  /** A yielded value's message: `tracked(id, data)` carries its id (as tRPC's does), anything else none. */
  message(value: unknown): Buffer {
    const [id, data] = isTrackedEnvelope(value) ? [value[0], value[1]] : [undefined, value];
    if (typeof data !== 'object' || data === null) return this.encode(id, data);
    const known = this.shared.get(data);
    if (known && known.id === id) return known.bytes;
    const bytes = this.encode(id, data);
    this.shared.set(data, { id, bytes });
    return bytes;
  }

  error(shape: unknown): Buffer {
    return Buffer.from(`event: serialized-error\ndata: ${this.json(shape)}\n\n`);
  }

  private encode(id: string | undefined, data: unknown): Buffer {
    return Buffer.from(id === undefined ? `data: ${this.json(data)}\n\n` : `data: ${this.json(data)}\nid: ${id}\n\n`);
  }
}

/**
 * One SSE response: the messages sent in one burst of microtasks go out in one write (at the next tick), through
 * fastify's reply (its headers and hooks), with a ping every `pingMs` so proxies and the client keep it open.
 */
class SseOut {
  private readonly body = new PassThrough();
  private queued: Buffer[] = [];
  private readonly ping: NodeJS.Timeout | undefined;

  constructor(reply: FastifyReply, pingMs: number) {
    reply.headers({ ...sseHeaders, vary: 'trpc-accept, accept' });
    void reply.send(this.body);
    this.ping = pingMs > 0 ? setInterval(() => this.send(PING), pingMs) : undefined;
  }

  /** Ended by us, or destroyed by fastify when the client went away. */
  private get closed(): boolean {
    return this.body.writableEnded || this.body.destroyed;
  }

  send(bytes: Buffer): void {
    if (this.closed) return;
    if (this.queued.push(bytes) === 1) process.nextTick(() => this.flush());
  }

  /** Resolves once the connection has room for more (at once, mostly), or it went away. */
  room(signal: AbortSignal): Promise<void> | void {
    if (!this.body.writableNeedDrain || signal.aborted) return;
    return new Promise((resolve) => {
      const done = () => {
        this.body.off('drain', done);
        this.body.off('close', done);
        signal.removeEventListener('abort', done);
        resolve();
      };
      this.body.on('drain', done);
      this.body.on('close', done);
      signal.addEventListener('abort', done);
    });
  }

  end(): void {
    clearInterval(this.ping);
    if (this.closed) return;
    this.flush();
    this.body.end();
  }

  private flush(): void {
    const queued = this.queued;
    if (queued.length === 0 || this.closed) return;
    this.queued = [];
    this.body.write(queued.length === 1 ? queued[0]! : Buffer.concat(queued));
  }
}
