import type { AppRouter } from '@clipfleet/api';
import { TRPCClientError } from '@trpc/client';
import { createTRPCContext } from '@trpc/tanstack-react-query';
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';

/** Only the router's TYPE is imported: the bundle never contains server code. */
export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;
/** What a subscription yields (its output type is the async iterable). */
export type Yielded<T> = T extends AsyncIterable<infer U, any, any> ? U : never;

export const { TRPCProvider, useTRPC, useTRPCClient } = createTRPCContext<AppRouter>();

export function errorCode(error: unknown): string | undefined {
  if (error instanceof TRPCClientError) {
    const data = error.data as { code?: string } | undefined;
    return data?.code;
  }
  return undefined;
}

export function isAuthError(error: unknown): boolean {
  return errorCode(error) === 'UNAUTHORIZED' || errorCode(error) === 'FORBIDDEN';
}

export function isNotFound(error: unknown): boolean {
  const code = errorCode(error);
  return code === 'NOT_FOUND';
}

/** A message an operator can act on. */
export function errorMessage(error: unknown): string {
  if (error instanceof TRPCClientError) {
    if (errorCode(error) === 'UNAUTHORIZED') return 'That API key was not accepted. Check it and sign in again.';
    return error.message;
  }
  if (error instanceof Error) {
    if (error.message === 'Failed to fetch') return 'Cannot reach the ClipFleet API. Is the server running?';
    return error.message;
  }
  return String(error);
}
