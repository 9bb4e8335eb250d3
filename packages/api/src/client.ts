import { createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink } from '@trpc/client';
import type { AppRouter } from './trpc/root.ts';

export interface ClipFleetClientOptions {
  /** Node 20 has no global EventSource: pass `EventSource` from the `eventsource` package. */
  EventSource?: typeof globalThis.EventSource | (new (...args: any[]) => any);
}

/**
 * The typed client: queries and mutations batched over HTTP with `Authorization: Bearer <key>`, subscriptions over
 * SSE. EventSource cannot set headers and connectionParams travel in the URL, so each SSE connection carries a
 * fresh short-lived stream token (`me.linkToken`), never the key. `url` is the server's base URL
 * (`http://host:port`) or its tRPC endpoint (`.../trpc`).
 */
export function createClipFleetClient(url: string, apiKey: string, opts: ClipFleetClientOptions = {}) {
  const trpcUrl = /\/trpc\/?$/.test(url) ? url.replace(/\/$/, '') : `${url.replace(/\/$/, '')}/trpc`;
  const EventSourceImpl = opts.EventSource ?? globalThis.EventSource;
  const http = () => httpBatchLink({ url: trpcUrl, methodOverride: 'POST', headers: () => ({ authorization: `Bearer ${apiKey}` }) });
  const minter = createTRPCClient<AppRouter>({ links: [http()] });
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === 'subscription',
        true: httpSubscriptionLink({
          url: trpcUrl,
          connectionParams: async () => ({ token: (await minter.me.linkToken.mutate({ scope: 'stream' })).token }),
          ...(EventSourceImpl ? { EventSource: EventSourceImpl as typeof globalThis.EventSource } : {}),
        }),
        // Queries go as POST too: batch.estimate of 10,000 rows does not fit in a URL.
        false: http(),
      }),
    ],
  });
}

export type ClipFleetClient = ReturnType<typeof createClipFleetClient>;
