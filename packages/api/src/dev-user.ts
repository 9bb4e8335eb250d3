import type { Db } from './db/database.ts';
import { grantCredits } from './store/ledger.ts';
import { countUsers, createUser, issueApiKey } from './store/users.ts';

/** On first start (no users yet) creates a dev user with credits; returns its API key (the only time it exists). */
export async function ensureDevUser(db: Db, credits: number): Promise<string | undefined> {
  if (credits <= 0 || (await countUsers(db)) > 0) return undefined;
  return db.transaction().execute(async (trx) => {
    const user = await createUser(trx, 'dev');
    await grantCredits(trx, user.id, credits, 'dev user grant');
    return issueApiKey(trx, user.id, 'dev');
  });
}
