import type { ProviderFamily, RemoteStatus } from '@clipfleet/engine';
import { parseRecord, recordToStatus } from './parse.ts';
import { veoRecordToStatus } from './veo.ts';

/**
 * What differs between KIE's provider families on the wire: where to create, where to ask, and how a status
 * reads. The envelope (`{code, msg, data}`, errors as body codes) and the engine's KieGateway port are shared;
 * a new family is one entry here (the type makes a family without an adapter a compile error).
 */
export interface FamilyAdapter {
  createPath: string;
  recordPath(remoteTaskId: string): string;
  /** The engine's status from a successful answer's `data`. */
  toStatus(data: unknown): RemoteStatus | { error: string };
}

export const FAMILY_ADAPTERS: Record<ProviderFamily, FamilyAdapter> = {
  /** Market models: `jobs/createTask` + `jobs/recordInfo`, states waiting|queuing|generating|success|fail. */
  market: {
    createPath: '/api/v1/jobs/createTask',
    recordPath: (id) => `/api/v1/jobs/recordInfo?taskId=${encodeURIComponent(id)}`,
    toStatus(data) {
      const record = parseRecord(data);
      return 'error' in record ? record : recordToStatus(record);
    },
  },
  /** Veo 3.1: `veo/generate` (flat body) + `veo/record-info` (`successFlag`). */
  veo: {
    createPath: '/api/v1/veo/generate',
    recordPath: (id) => `/api/v1/veo/record-info?taskId=${encodeURIComponent(id)}`,
    toStatus: veoRecordToStatus,
  },
};
