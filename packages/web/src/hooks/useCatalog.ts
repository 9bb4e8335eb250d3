import { DEFAULT_CONFIG, type Catalog } from '@clipfleet/engine';
import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { catalogFromApi } from '@clipfleet/api/catalog';
import { useTRPC } from '../utils/trpc.ts';

/** The server's live catalog (the shipped one until it loads) and its row limit. */
export function useCatalog(): { catalog: Catalog; maxRows: number; live: boolean } {
  const trpc = useTRPC();
  const q = useQuery({ ...trpc.catalog.models.queryOptions(), staleTime: 60_000 });
  return useMemo(
    () =>
      q.data
        ? { catalog: catalogFromApi(q.data), maxRows: q.data.maxBatchRows, live: true }
        : { catalog: DEFAULT_CONFIG.catalog, maxRows: DEFAULT_CONFIG.maxBatchRows, live: false },
    [q.data],
  );
}
