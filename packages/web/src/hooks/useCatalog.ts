import { DEFAULT_CONFIG, type Catalog } from '@clipfleet/engine';
import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { useTRPC } from '../utils/trpc.ts';

/** The server's live catalog (the shipped one until it loads), its row limit, and whether retired models are refused. */
export function useCatalog(): { catalog: Catalog; maxRows: number; live: boolean; refusesRetired: boolean } {
  const trpc = useTRPC();
  const q = useQuery({ ...trpc.catalog.models.queryOptions(), staleTime: 60_000 });
  return useMemo(
    () =>
      q.data
        ? { catalog: q.data.catalog, maxRows: q.data.maxBatchRows, live: true, refusesRetired: q.data.refusesRetired }
        : { catalog: DEFAULT_CONFIG.catalog, maxRows: DEFAULT_CONFIG.maxBatchRows, live: false, refusesRetired: false },
    [q.data],
  );
}
