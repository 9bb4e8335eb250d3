import { createClipFleetClient } from '@clipfleet/api/client';
import { QueryCache, QueryClient, QueryClientProvider, MutationCache } from '@tanstack/react-query';
import { useState } from 'react';
import { setApiKey } from '../../utils/auth.ts';
import { setSignOutReason } from '../../utils/session.ts';
import { isAuthError, TRPCProvider } from '../../utils/trpc.ts';
import { Shell } from './Shell.tsx';

function signOutOnAuthError(error: unknown) {
  if (isAuthError(error)) {
    setSignOutReason('Your API key is no longer accepted. Sign in again.');
    setApiKey(null);
  }
}

/** Providers for a signed-in session: one tRPC client and one query cache per API key. */
export function AuthedApp({ apiKey }: { apiKey: string }) {
  const [queryClient] = useState(
    () =>
      new QueryClient({
        queryCache: new QueryCache({ onError: signOutOnAuthError }),
        mutationCache: new MutationCache({ onError: signOutOnAuthError }),
        defaultOptions: {
          queries: {
            staleTime: 5_000,
            refetchOnWindowFocus: false,
            retry: (failureCount, error) => !isAuthError(error) && failureCount < 2,
          },
        },
      }),
  );
  const [trpcClient] = useState(() => createClipFleetClient('', apiKey));
  return (
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
        <Shell />
      </TRPCProvider>
    </QueryClientProvider>
  );
}
