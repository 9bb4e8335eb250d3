import { initTRPC, TRPCError } from '@trpc/server';
import { z, ZodError } from 'zod';
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
export const publicProcedure = t.procedure;

/** Every user-facing procedure: a valid `Authorization: Bearer <api key>` narrows ctx.user to non-null. */
export const protectedProcedure = t.procedure.use(({ ctx, next }) => {
  if (!ctx.user) {
    throw new TRPCError({ code: 'UNAUTHORIZED', message: 'missing or invalid API key: send Authorization: Bearer <api key>' });
  }
  return next({ ctx: { ...ctx, user: ctx.user } });
});

/** Operator procedures: the admin key (ADMIN_KEY) as the bearer token. */
export const adminProcedure = t.procedure.use(({ ctx, next }) => {
  if (!ctx.isAdmin) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'admin key required: send Authorization: Bearer <admin key>' });
  return next();
});
