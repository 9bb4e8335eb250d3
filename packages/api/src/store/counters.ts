import type { Executor } from './executor.ts';

/** Adds to the provider call counters (op x outcome), one upsert per pair. */
export async function addProviderCalls(trx: Executor, counts: Map<string, number>): Promise<void> {
  for (const [key, n] of counts) {
    const [op, outcome] = key.split('|') as [string, string];
    await trx
      .insertInto('provider_calls')
      .values({ op, outcome, count: n })
      .onConflict((oc) => oc.columns(['op', 'outcome']).doUpdateSet((eb) => ({ count: eb('provider_calls.count', '+', n) })))
      .execute();
  }
}

export async function providerCalls(db: Executor) {
  const rows = await db.selectFrom('provider_calls').selectAll().orderBy('op').orderBy('outcome').execute();
  return rows.map((r) => ({ op: r.op, outcome: r.outcome, count: Number(r.count) }));
}
