import type { Db } from '../db/database.ts';
import { readSetting, writeSetting } from '../store/settings.ts';

/** Operator actions meant for every worker (not one user's owner), kept as settings that workers watch. */
const PROVIDER_RESUME_KEY = 'provider_resume_requested_at';

export async function requestProviderResume(db: Db): Promise<void> {
  await writeSetting(db, PROVIDER_RESUME_KEY, String(Date.now()));
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
