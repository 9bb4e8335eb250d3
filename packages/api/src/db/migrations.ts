import { sql, type CreateTableBuilder, type Kysely, type Migration, type MigrationProvider } from 'kysely';

/**
 * Migrations are inline (no file loader) and frozen in time: they use `Kysely<any>` and never import app code.
 * Column types are the portable subset (text, integer, bigint) so the same migrations run on Postgres.
 */
const init: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('users')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('api_keys')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
      .addColumn('key_hash', 'text', (c) => c.notNull().unique())
      .addColumn('prefix', 'text', (c) => c.notNull())
      .addColumn('label', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('revoked_at', 'bigint')
      .execute();

    await db.schema
      .createTable('payments')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
      .addColumn('plan', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('amount_cents', 'integer')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('payments_user').on('payments').columns(['user_id', 'created_at']).execute();

    await db.schema
      .createTable('credit_ledger')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('amount', 'integer', (c) => c.notNull())
      .addColumn('credits', 'integer', (c) => c.notNull())
      .addColumn('batch_id', 'text')
      .addColumn('task_id', 'text')
      .addColumn('round', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('note', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    // Never charge (or refund) twice: at most one entry of each kind per task and billing round.
    await db.schema
      .createIndex('credit_ledger_task_kind')
      .on('credit_ledger')
      .columns(['task_id', 'kind', 'round'])
      .unique()
      .execute();
    await db.schema.createIndex('credit_ledger_user').on('credit_ledger').columns(['user_id', 'created_at']).execute();
    await db.schema.createIndex('credit_ledger_batch').on('credit_ledger').column('batch_id').execute();

    await db.schema
      .createTable('batches')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('task_count', 'integer', (c) => c.notNull())
      .addColumn('credits_reserved', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addColumn('finished_at', 'bigint')
      .execute();
    await db.schema.createIndex('batches_user').on('batches').columns(['user_id', 'created_at']).execute();

    await db.schema
      .createTable('tasks')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('batch_id', 'text', (c) => c.notNull().references('batches.id'))
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
      .addColumn('row_index', 'integer', (c) => c.notNull())
      .addColumn('prompt', 'text', (c) => c.notNull())
      .addColumn('model', 'text', (c) => c.notNull())
      .addColumn('resolution', 'text', (c) => c.notNull())
      .addColumn('duration_sec', 'integer', (c) => c.notNull())
      .addColumn('aspect_ratio', 'text')
      .addColumn('image_url', 'text')
      .addColumn('price', 'integer', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('generation_retries', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('round', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('remote_task_id', 'text')
      .addColumn('submitted_at', 'bigint')
      .addColumn('next_due_at', 'bigint')
      .addColumn('progress', 'integer')
      .addColumn('result_urls', 'text')
      .addColumn('fail_code', 'text')
      .addColumn('fail_message', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addColumn('finished_at', 'bigint')
      .execute();
    await db.schema.createIndex('tasks_batch_row').on('tasks').columns(['batch_id', 'row_index']).unique().execute();
    await db.schema.createIndex('tasks_batch_state').on('tasks').columns(['batch_id', 'state']).execute();
    await db.schema.createIndex('tasks_remote').on('tasks').column('remote_task_id').execute();

    await db.schema
      .createTable('task_events')
      .addColumn('seq', 'bigint', (c) => c.primaryKey())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('user_id', 'text')
      .addColumn('batch_id', 'text')
      .addColumn('task_id', 'text')
      .addColumn('payload', 'text', (c) => c.notNull())
      .addColumn('at', 'bigint', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('task_events_batch').on('task_events').columns(['batch_id', 'seq']).execute();

    await db.schema
      .createTable('provider_calls')
      .addColumn('op', 'text', (c) => c.notNull())
      .addColumn('outcome', 'text', (c) => c.notNull())
      .addColumn('count', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('provider_calls_pk', ['op', 'outcome'])
      .execute();

    await db.schema
      .createTable('settings')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('value', 'text', (c) => c.notNull())
      .execute();
  },
  async down(db: Kysely<any>) {
    for (const t of ['settings', 'provider_calls', 'task_events', 'tasks', 'batches', 'credit_ledger', 'payments', 'api_keys', 'users']) {
      await db.schema.dropTable(t).execute();
    }
  },
};

/**
 * The available balance per user, kept in the same transaction as every ledger append. The ledger stays the
 * truth (this is its running sum, rebuilt here from it); reading a balance no longer scans a user's whole history.
 */
const balances: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('user_balances')
      .addColumn('user_id', 'text', (c) => c.primaryKey().references('users.id'))
      .addColumn('balance', 'bigint', (c) => c.notNull())
      .execute();
    await db
      .insertInto('user_balances')
      .columns(['user_id', 'balance'])
      .expression(db.selectFrom('credit_ledger').select(['user_id', (eb) => eb.fn.sum('amount').as('balance')]).groupBy('user_id'))
      .execute();
    // batch.get's credit totals read only this index.
    await db.schema.createIndex('credit_ledger_batch_kind').on('credit_ledger').columns(['batch_id', 'kind', 'credits']).execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.dropIndex('credit_ledger_batch_kind').execute();
    await db.schema.dropTable('user_balances').execute();
  },
};

/** `credit_ledger_batch` is covered by `credit_ledger_batch_kind` (002): one index less per ledger append. */
const dropRedundantIndex: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.dropIndex('credit_ledger_batch').execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.createIndex('credit_ledger_batch').on('credit_ledger').column('batch_id').execute();
  },
};

/** Image-to-video with a first and a last frame (Seedance, Wan, MiniMax, Veo): the last frame's URL. */
const lastFrame: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('tasks').addColumn('last_frame_url', 'text').execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.alterTable('tasks').dropColumn('last_frame_url').execute();
  },
};

/** Result files archived from KIE's expiring URLs into ClipFleet's own storage (one row per task and URL). */
const resultFiles: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('result_files')
      .addColumn('task_id', 'text', (c) => c.notNull().references('tasks.id'))
      .addColumn('idx', 'integer', (c) => c.notNull())
      .addColumn('source_url', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull()) // archived | failed | expired
      .addColumn('storage_key', 'text')
      .addColumn('bytes', 'bigint')
      .addColumn('content_type', 'text')
      .addColumn('error', 'text')
      .addColumn('attempts', 'integer', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('result_files_pk', ['task_id', 'idx'])
      .execute();
    await db.schema.createIndex('result_files_state_updated').on('result_files').columns(['state', 'updated_at']).execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.dropTable('result_files').execute();
  },
};

/**
 * Several KIE accounts and the limits shared by every process on one database (packages/api/src/limits/): the
 * account each attempt was sent on; per account its caps and shared gate (throttle, halt, AIMD level); the log of
 * recent creates (the sliding window); the running slots (the global cap); the workers' active users (fair shares).
 * The one-row `provider_limits` holds the global cap and is the lock every permit takes first.
 */
const providerAccounts: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('tasks').addColumn('account_id', 'text').execute();
    await db.schema
      .createTable('provider_limits')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('max_running', 'integer', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('provider_accounts')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('create_limit', 'integer', (c) => c.notNull())
      .addColumn('window_ms', 'bigint', (c) => c.notNull())
      .addColumn('max_running', 'integer')
      .addColumn('level', 'integer')
      .addColumn('throttled_until', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('throttle_code', 'integer')
      .addColumn('halted_code', 'integer')
      .addColumn('halted_message', 'text')
      .execute();
    await db.schema
      .createTable('provider_creates')
      .addColumn('account_id', 'text', (c) => c.notNull())
      .addColumn('at', 'bigint', (c) => c.notNull())
      .addColumn('task_id', 'text', (c) => c.notNull())
      .addColumn('attempt', 'integer', (c) => c.notNull())
      .addColumn('worker_id', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('provider_creates_account_at').on('provider_creates').columns(['account_id', 'at']).execute();
    await db.schema
      .createTable('provider_slots')
      .addColumn('task_id', 'text', (c) => c.primaryKey())
      .addColumn('account_id', 'text', (c) => c.notNull())
      .addColumn('worker_id', 'text', (c) => c.notNull())
      .addColumn('since', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('limit_workers')
      .addColumn('worker_id', 'text', (c) => c.primaryKey())
      .addColumn('active_users', 'integer', (c) => c.notNull())
      .addColumn('seen_at', 'bigint', (c) => c.notNull())
      .execute();
  },
  async down(db: Kysely<any>) {
    for (const table of ['limit_workers', 'provider_slots', 'provider_creates', 'provider_accounts', 'provider_limits']) await db.schema.dropTable(table).execute();
    await db.schema.alterTable('tasks').dropColumn('account_id').execute();
  },
};

/**
 * Rebuilds task_events (SQLite cannot change a primary key in place) with its rows renumbered: `withStream` adds a
 * stream column, filled by `stream`, and makes (stream, seq) the key; otherwise `seq` alone is. `seq` is `numbering`.
 */
async function rebuildTaskEvents(db: Kysely<any>, withStream: boolean, stream: string, numbering: string): Promise<void> {
  let table: CreateTableBuilder<string, string> = db.schema.createTable('task_events_next');
  if (withStream) table = table.addColumn('stream', 'text', (c) => c.notNull());
  table = table
    .addColumn('seq', 'bigint', (c) => (withStream ? c.notNull() : c.primaryKey()))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text')
    .addColumn('batch_id', 'text')
    .addColumn('task_id', 'text')
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull());
  if (withStream) table = table.addPrimaryKeyConstraint('task_events_stream_seq', ['stream', 'seq']);
  await table.execute();
  const columns = 'type, user_id, batch_id, task_id, payload, at, created_at';
  await sql
    .raw(
      `insert into task_events_next (${withStream ? 'stream, ' : ''}seq, ${columns}) ` +
        `select ${withStream ? 'stream, ' : ''}${numbering}, ${columns} from (select ${stream} as stream, seq as old_seq, ${columns} from task_events) as old`,
    )
    .execute(db);
  await db.schema.dropTable('task_events').execute();
  await db.schema.alterTable('task_events_next').renameTo('task_events').execute();
}

/**
 * Events numbered per stream (a batch's log, a user's, a fleet process's: store/events.ts) instead of one global
 * sequence, which only a single process can assign gap-free. Stored events keep their order and are renumbered
 * 1, 2, 3, ... within their stream; the payload's old number is not rewritten (the row's `seq` is what is read).
 * Before this, every event came from the one process: its batchless events form the default `fleet` stream.
 */
const perStreamEvents: Migration = {
  async up(db: Kysely<any>) {
    const stream = "case when batch_id is not null then 'batch:' || batch_id when user_id is not null then 'user:' || user_id else 'fleet' end";
    await rebuildTaskEvents(db, true, stream, 'row_number() over (partition by stream order by old_seq)');
  },
  async down(db: Kysely<any>) {
    await rebuildTaskEvents(db, false, 'stream', 'row_number() over (order by at, stream, old_seq)');
  },
};

/**
 * Scale-out: workers (each with a heartbeat and a status snapshot for the API processes), user leases (one owner
 * per user, fenced by an epoch that grows at every change of owner) and commands for the owning worker.
 */
const cluster: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('cluster_workers')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('pid', 'integer', (c) => c.notNull())
      .addColumn('host', 'text', (c) => c.notNull())
      .addColumn('started_at', 'bigint', (c) => c.notNull())
      .addColumn('heartbeat_at', 'bigint', (c) => c.notNull())
      .addColumn('stopped_at', 'bigint')
      .addColumn('status', 'text')
      .execute();
    await db.schema
      .createTable('user_leases')
      .addColumn('user_id', 'text', (c) => c.primaryKey().references('users.id'))
      .addColumn('owner', 'text')
      .addColumn('epoch', 'integer', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('user_leases_expires').on('user_leases').column('expires_at').execute();
    // Every user has a lease row (new ones get theirs with the user): a worker claims it once they have work.
    await db
      .insertInto('user_leases')
      .columns(['user_id', 'owner', 'epoch', 'expires_at'])
      .expression(db.selectFrom('users').select(['id', sql<null>`null`.as('owner'), sql<number>`0`.as('epoch'), sql<number>`0`.as('expires_at')]))
      .execute();
    await db.schema
      .createTable('fleet_commands')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('payload', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('done_at', 'bigint')
      .addColumn('done_by', 'text')
      .execute();
    await db.schema.createIndex('fleet_commands_pending').on('fleet_commands').columns(['user_id', 'done_at']).execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.dropTable('fleet_commands').execute();
    await db.schema.dropTable('user_leases').execute();
    await db.schema.dropTable('cluster_workers').execute();
  },
};

/** A create counts in the shared window from its grant until it comes back (answered = 0), then from its answer. */
const createAnswers: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('provider_creates').addColumn('answered', 'integer', (c) => c.notNull().defaultTo(1)).execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.alterTable('provider_creates').dropColumn('answered').execute();
  },
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => ({
    '2026_11_28_001_init': init,
    '2026_11_28_002_balances': balances,
    '2026_11_28_003_drop_redundant_index': dropRedundantIndex,
    '2026_12_01_004_task_last_frame': lastFrame,
    '2026_12_01_010_result_files': resultFiles,
    '2026_12_02_012_provider_accounts': providerAccounts,
    '2026_12_02_013_per_stream_events': perStreamEvents,
    '2026_12_02_014_cluster': cluster,
    '2026_12_02_020_create_answers': createAnswers,
  }),
};
