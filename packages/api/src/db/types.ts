/**
 * Table shapes. Times are epoch milliseconds, JSON is text, booleans are 0/1:
 * better-sqlite3 binds only numbers, strings, bigints, buffers and null, and Postgres reads them the same way.
 */
export interface UsersTable {
  id: string;
  name: string;
  created_at: number;
}

export interface ApiKeysTable {
  id: string;
  user_id: string;
  /** sha256 hex of the key: the key itself is shown once and never stored. */
  key_hash: string;
  /** First characters of the key, to tell keys apart in listings. */
  prefix: string;
  label: string;
  created_at: number;
  revoked_at: number | null;
}

export interface PaymentsTable {
  id: string;
  user_id: string;
  plan: string;
  status: 'active' | 'cancelled' | 'refunded';
  amount_cents: number | null;
  created_at: number;
}

export type LedgerKind = 'grant' | 'reserve' | 'charge' | 'refund';

export interface CreditLedgerTable {
  id: string;
  user_id: string;
  kind: LedgerKind;
  /** Signed change to the available balance: grant +, reserve -, charge 0 (settles a reserve), refund +. */
  amount: number;
  /** The price the entry is about (for charge: what was spent). */
  credits: number;
  batch_id: string | null;
  task_id: string | null;
  /** The task's billing round (retryFailed starts a new one): (task_id, kind, round) is unique. */
  round: number;
  note: string | null;
  created_at: number;
}

export type BatchState = 'active' | 'paused' | 'cancelled' | 'finished';

export interface BatchesTable {
  id: string;
  user_id: string;
  name: string;
  state: BatchState;
  task_count: number;
  credits_reserved: number;
  created_at: number;
  updated_at: number;
  finished_at: number | null;
}

export interface TasksTable {
  id: string;
  batch_id: string;
  user_id: string;
  row_index: number;
  prompt: string;
  model: string;
  resolution: string;
  duration_sec: number;
  aspect_ratio: string | null;
  image_url: string | null;
  /** Image-to-video with first and last frame: the last one (migration 004). */
  last_frame_url: string | null;
  price: number;
  state: string;
  /** The current attempt's number (the next one's while retrying). */
  attempts: number;
  /** Retries spent on 501 generation failures (their own, smaller budget). */
  generation_retries: number;
  round: number;
  remote_task_id: string | null;
  /** The KIE account the current attempt was sent on (2026_12_02_012); null before accounts existed. */
  account_id: string | null;
  /** Engine-clock times (the fleet clock may run faster than the wall). */
  submitted_at: number | null;
  next_due_at: number | null;
  progress: number | null;
  result_urls: string | null;
  fail_code: string | null;
  fail_message: string | null;
  created_at: number;
  updated_at: number;
  finished_at: number | null;
}

export interface TaskEventsTable {
  /** `batch:<id>`, `user:<id>` or a fleet process's stream (see store/events.ts); (stream, seq) is the key. */
  stream: string;
  /** The event's number in its stream: 1, 2, 3, ... without gaps, continued by whoever owns the stream next. */
  seq: number;
  type: string;
  user_id: string | null;
  batch_id: string | null;
  task_id: string | null;
  payload: string;
  at: number;
  created_at: number;
}

export interface ProviderCallsTable {
  op: string;
  outcome: string;
  count: number;
}

export interface SettingsTable {
  key: string;
  value: string;
}

/** Running sum of a user's ledger amounts (updated with every append, in the same transaction). */
export interface UserBalancesTable {
  user_id: string;
  balance: number;
}

export interface ResultFilesTable {
  task_id: string;
  idx: number;
  source_url: string;
  state: 'archived' | 'failed' | 'expired';
  storage_key: string | null;
  bytes: number | null;
  content_type: string | null;
  error: string | null;
  attempts: number;
  updated_at: number;
}

/** The shared limits (2026_12_02_012, packages/api/src/limits/): see the migration for what each holds. */
export interface ProviderLimitsTable {
  id: number;
  max_running: number;
}

export interface ProviderAccountsTable {
  id: string;
  create_limit: number;
  window_ms: number;
  max_running: number | null;
  /** The shared AIMD level (null: not degraded yet). */
  level: number | null;
  throttled_until: number;
  throttle_code: number | null;
  halted_code: number | null;
  halted_message: string | null;
}

export interface ProviderCreatesTable {
  account_id: string;
  /** Engine-clock time the permit was granted, then the time KIE answered the create (every process runs the same clock). */
  at: number;
  task_id: string;
  attempt: number;
  worker_id: string;
  /** 0 from the grant until the create comes back: it counts in the window meanwhile, however long that takes. */
  answered: number;
}

export interface ProviderSlotsTable {
  task_id: string;
  account_id: string;
  worker_id: string;
  since: number;
}

export interface LimitWorkersTable {
  worker_id: string;
  active_users: number;
  seen_at: number;
}

/** A worker process: alive while its heartbeat is fresh; `status` is its supervisor's status (JSON) for the API. */
export interface ClusterWorkersTable {
  id: string;
  pid: number;
  host: string;
  started_at: number;
  heartbeat_at: number;
  stopped_at: number | null;
  status: string | null;
}

/** Who runs a user's batches: `owner` until `expires_at`; `epoch` grows at each change of owner (the fence). */
export interface UserLeasesTable {
  user_id: string;
  owner: string | null;
  epoch: number;
  expires_at: number;
}

/** A command for the worker that owns the user (delivered at least once, carried out idempotently). */
export interface FleetCommandsTable {
  /** Time-ordered: a user's commands are carried out in the order they were given. */
  id: string;
  user_id: string;
  kind: string;
  payload: string;
  created_at: number;
  done_at: number | null;
  done_by: string | null;
}

export interface Database {
  cluster_workers: ClusterWorkersTable;
  user_leases: UserLeasesTable;
  fleet_commands: FleetCommandsTable;
  user_balances: UserBalancesTable;
  users: UsersTable;
  api_keys: ApiKeysTable;
  payments: PaymentsTable;
  credit_ledger: CreditLedgerTable;
  batches: BatchesTable;
  tasks: TasksTable;
  task_events: TaskEventsTable;
  provider_calls: ProviderCallsTable;
  settings: SettingsTable;
  result_files: ResultFilesTable;
  provider_limits: ProviderLimitsTable;
  provider_accounts: ProviderAccountsTable;
  provider_creates: ProviderCreatesTable;
  provider_slots: ProviderSlotsTable;
  limit_workers: LimitWorkersTable;
}
