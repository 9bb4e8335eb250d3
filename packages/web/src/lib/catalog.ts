import type { Catalog } from '@clipfleet/engine';
import type { RouterOutputs } from '../utils/trpc.ts';

/** The price list as `catalog.models` answers it. */
export type ApiCatalog = RouterOutputs['catalog']['models'];

/**
 * Rebuilds the engine's Catalog from the server's live price list, so the form validates with the
 * engine's own helpers against the configuration the server runs (which an admin may hot-reload).
 * KIE model ids are not needed to validate or price a row and are left blank.
 */
export function catalogFromApi(
  api: Pick<ApiCatalog, 'maxPromptLength' | 'models'> & { variants: Pick<ApiCatalog['variants'][number], 'model' | 'resolution' | 'durationSec' | 'credits'>[] },
): Catalog {
  return {
    maxPromptLength: api.maxPromptLength,
    models: api.models.map((m) => ({
      id: m.id,
      label: m.label,
      kieModels: { textToVideo: '', imageToVideo: '' },
      variants: m.resolutions.map((resolution) => ({
        resolution,
        prices: api.variants
          .filter((v) => v.model === m.id && v.resolution === resolution)
          .map((v) => ({ durationSec: v.durationSec, credits: v.credits })),
      })),
    })),
  };
}
