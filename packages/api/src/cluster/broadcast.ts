import type { Db } from '../db/database.ts';
import { clearSharedHalts } from '../limits/index.ts';
import { readSetting, writeSetting } from '../store/settings.ts';

/** Operator actions meant for every worker (not one user's owner), kept as settings that workers watch. */
const PROVIDER_RESUME_KEY = 'provider_resume_requested_at';

/**
 * Lifts the halt everywhere: the shared accounts' gates at once (a worker resumes the shared gate only if its own
 * is halted, and the worker that met the 401 may be gone), every worker's own gate at its next heartbeat.
 */
export async function requestProviderResume(db: Db): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await clearSharedHalts(trx);
    await writeSetting(trx, PROVIDER_RESUME_KEY, String(Date.now()));
  });
}

/** Calls `resume` once for every resume request made after `start()` (checked at each heartbeat). */
export class ProviderResumeWatch {
  private seen: string | undefined;

  constructor(
    private readonly db: Db,
    private readonly resume: () => void,
  ) {}

  async start(): Promise<void> {
    this.seen = await readSetting(this.db, PROVIDER_RESUME_KEY);
  }

  async check(): Promise<void> {
    const now = await readSetting(this.db, PROVIDER_RESUME_KEY);
    if (now === this.seen) return;
    this.seen = now;
    this.resume();
  }
}
