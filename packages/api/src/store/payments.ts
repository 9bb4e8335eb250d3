import type { Executor } from './executor.ts';
import { newId } from './ids.ts';

/** The seed's plan detection: the latest active payment decides the plan; no payment means the default plan. */
export async function planOf(db: Executor, userId: string, defaultPlan: string): Promise<string> {
  const row = await db
    .selectFrom('payments')
    .select('plan')
    .where('user_id', '=', userId)
    .where('status', '=', 'active')
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.plan ?? defaultPlan;
}

/** Every user's plan from payments (users without one are left out: the engine puts them on the default plan). */
export async function allPaidPlans(db: Executor): Promise<Record<string, string>> {
  const rows = await db
    .selectFrom('payments')
    .select(['user_id', 'plan', 'created_at', 'id'])
    .where('status', '=', 'active')
    .orderBy('created_at', 'asc')
    .orderBy('id', 'asc')
    .execute();
  const plans: Record<string, string> = {};
  for (const row of rows) plans[row.user_id] = row.plan;
  return plans;
}

export async function recordPayment(
  db: Executor,
  input: { userId: string; plan: string; amountCents?: number | null },
  now = Date.now(),
): Promise<string> {
  const id = newId();
  await db
    .insertInto('payments')
    .values({ id, user_id: input.userId, plan: input.plan, status: 'active', amount_cents: input.amountCents ?? null, created_at: now })
    .execute();
  return id;
}
