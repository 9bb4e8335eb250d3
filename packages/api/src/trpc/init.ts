import { initTRPC, TRPCError } from '@trpc/server';
import { z, ZodError } from 'zod';
import { transportError, unauthorized } from '../errors.ts';
import type { Context } from './context.ts';
import { formatZodMessage } from './format.ts';

const t = initTRPC.context<Context>().create({
  // No stack traces in error responses.
  isDev: false,
  errorFormatter({ shape, error }) {
    const zod = error.cause instanceof ZodError ? error.cause : null;
    return {
      ...shape,
      // Input errors name the row and field (`rows[3].resolution: ...`) instead of a JSON dump of issues.
      message: zod ? formatZodMessage(zod) : shape.message,
      data: { ...shape.data, zodError: zod ? z.flattenError(zod) : null },
    };
  },
  sse: {
    // Keeps idle SSE connections alive through proxies; the client reconnects after a silent minute.
    ping: { enabled: true, intervalMs: 25_000 },
    client: { reconnectAfterInactivityMs: 60_000 },
  },
});

export const router = t.router;

/** A domain error as the tRPC error it stands for (anything else as it is). */
export function asTRPCError(err: unknown): unknown {
  const mapped = transportError(err instanceof TRPCError ? err.cause : err);
  return mapped ? new TRPCError({ code: mapped.trpc, message: mapped.message, cause: err }) : err;
}

/** A subscription's stream with its domain errors mapped (they are thrown while it is read, after the middleware). */
async function* mapStreamErrors<T>(stream: AsyncIterable<T>): AsyncGenerator<T> {
  try {
    yield* stream;
  } catch (err) {
    throw asTRPCError(err);
  }
}

const isStream = (value: unknown): value is AsyncIterable<unknown> =>
  typeof value === 'object' && value !== null && Symbol.asyncIterator in value;

/** Domain errors thrown anywhere below become the tRPC error they stand for (the one mapping: errors.ts). */
const domainErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok) throw asTRPCError(result.error);
  return isStream(result.data) ? { ...result, data: mapStreamErrors(result.data) } : result;
});

export const publicProcedure = t.procedure.use(domainErrors);

/** Every user-facing procedure: a valid `Authorization: Bearer <api key>` narrows ctx.user to non-null. */
export const protectedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.user) throw unauthorized('missing or invalid API key: send Authorization: Bearer <api key>');
  return next({ ctx: { ...ctx, user: ctx.user } });
});

/** Operator procedures: the admin key (ADMIN_KEY) as the bearer token. */
export const adminProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.isAdmin) throw unauthorized('admin key required: send Authorization: Bearer <admin key>');
  return next();
});
