import { EventEmitter } from 'node:events';
import { sql } from 'kysely';
import pg from 'pg';
import type { Executor } from '../store/executor.ts';

/** A listener's callback: the payload as sent. */
export type Listener = (payload: string) => void;

export interface ListenOptions {
  /**
   * Called after the listening connection was lost and is back: notifications sent meanwhile are gone, so a
   * listener that must not miss anything re-reads the state it follows (notifications are cues, rows are truth).
   */
  onReconnect?: () => void;
}

/** The notification side of a database: kept on its kysely adapter (see database.ts), shared by every view of it. */
export interface Channels {
  notify(trx: Executor, channel: string, payload: string): Promise<void>;
  listen(channel: string, fn: Listener, opts: ListenOptions): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/**
 * Sends `payload` on `channel`, delivered to every listener (every process on Postgres) when `trx` commits, and
 * never if it rolls back; outside a transaction at once. Postgres folds identical (channel, payload) pairs of one
 * transaction into one, and caps a payload at 8,000 bytes: send ids, and let listeners read the rows.
 */
export async function notify(trx: Executor, channel: string, payload: string): Promise<void> {
  await channelsOf(trx).notify(trx, checkChannel(channel), payload);
}

/** Calls `fn` for each notification on `channel` from now on; resolves once listening, to the function that stops it. */
export function listen(db: Executor, channel: string, fn: Listener, opts: ListenOptions = {}): Promise<() => Promise<void>> {
  return channelsOf(db).listen(checkChannel(channel), fn, opts);
}

export interface WithChannels {
  readonly channels: Channels;
}

function channelsOf(db: Executor): Channels {
  const channels = (db.getExecutor().adapter as Partial<WithChannels>).channels;
  if (!channels) throw new Error('this database was not opened by openDatabase (it has no notification channels)');
  return channels;
}

/** Plain lower-case identifiers: the same name in LISTEN (an identifier) and pg_notify (a string). */
function checkChannel(channel: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(channel)) throw new Error(`notification channel "${channel}": use lower-case letters, digits and _ (at most 63)`);
  return channel;
}

function deliver(fns: Iterable<Listener>, payload: string): void {
  for (const fn of fns) {
    try {
      fn(payload);
    } catch (err) {
      // One listener's bug must not stop the others, nor the transaction that sent the notification.
      console.error('clipfleet: notification listener failed:', err);
    }
  }
}

/**
 * SQLite: the listeners are in this process (one process owns the file). Notifications sent inside a transaction
 * wait for its commit, as on Postgres; SQLite has one connection, so at most one transaction is open at a time.
 * The driver reports begin/commit/rollback (database.ts).
 */
export class LocalChannels implements Channels {
  private readonly emitter = new EventEmitter().setMaxListeners(0);
  private pending: [string, string][] | null = null;

  begun(): void {
    this.pending = [];
  }

  committed(): void {
    const sent = this.pending ?? [];
    this.pending = null;
    for (const [channel, payload] of sent) this.emit(channel, payload);
  }

  rolledBack(): void {
    this.pending = null;
  }

  async notify(trx: Executor, channel: string, payload: string): Promise<void> {
    if (trx.isTransaction && this.pending) this.pending.push([channel, payload]);
    else this.emit(channel, payload);
  }

  async listen(channel: string, fn: Listener): Promise<() => Promise<void>> {
    this.emitter.on(channel, fn);
    return async () => void this.emitter.off(channel, fn);
  }

  async close(): Promise<void> {
    this.emitter.removeAllListeners();
  }

  private emit(channel: string, payload: string): void {
    // Asynchronously, as a notification from the server would arrive: never inside the committing call.
    const fns = this.emitter.listeners(channel) as Listener[];
    if (fns.length) queueMicrotask(() => deliver(fns, payload));
  }
}

const RECONNECT_MIN_MS = 100;
const RECONNECT_MAX_MS = 5_000;

interface Subscription {
  fn: Listener;
  opts: ListenOptions;
}

/**
 * Postgres: NOTIFY through `pg_notify` in the sender's transaction; one dedicated connection per process LISTENs
 * for every channel this process follows (pool connections come and go, a LISTEN must stay). When it drops
 * (server restart, terminated backend) it reconnects with backoff, LISTENs again and tells each listener.
 */
export class PgChannels implements Channels {
  private client: pg.Client | null = null;
  private connecting: Promise<pg.Client> | null = null;
  private reconnecting = false;
  private closed = false;
  private readonly subscriptions = new Map<string, Set<Subscription>>();

  constructor(private readonly config: pg.ClientConfig) {}

  async notify(trx: Executor, channel: string, payload: string): Promise<void> {
    await sql`select pg_notify(${channel}, ${payload})`.execute(trx);
  }

  async listen(channel: string, fn: Listener, opts: ListenOptions): Promise<() => Promise<void>> {
    const subscription = { fn, opts };
    let subs = this.subscriptions.get(channel);
    if (!subs) this.subscriptions.set(channel, (subs = new Set()));
    subs.add(subscription);
    try {
      // LISTEN twice is harmless: a connection being opened right now may or may not have seen this channel.
      await (await this.connection()).query(`LISTEN ${channel}`);
    } catch (err) {
      this.drop(channel, subscription);
      throw err;
    }
    return async () => {
      if (this.drop(channel, subscription)) await this.client?.query(`UNLISTEN ${channel}`).catch(() => {});
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.subscriptions.clear();
    const client = this.client ?? (await this.connecting?.catch(() => null));
    this.client = null;
    await client?.end().catch(() => {});
  }

  /** Removes a subscription; true when it was the channel's last. */
  private drop(channel: string, subscription: Subscription): boolean {
    const subs = this.subscriptions.get(channel);
    if (!subs?.delete(subscription) || subs.size > 0) return false;
    this.subscriptions.delete(channel);
    return true;
  }

  private connection(): Promise<pg.Client> {
    if (this.client) return Promise.resolve(this.client);
    if (this.closed) return Promise.reject(new Error('database closed'));
    return (this.connecting ??= this.connect().finally(() => (this.connecting = null)));
  }

  private async connect(): Promise<pg.Client> {
    const client = new pg.Client({ ...this.config, keepAlive: true });
    client.on('notification', (msg) => deliver([...(this.subscriptions.get(msg.channel) ?? [])].map((s) => s.fn), msg.payload ?? ''));
    client.on('error', () => this.lost(client));
    client.on('end', () => this.lost(client));
    try {
      await client.connect();
      for (const channel of this.subscriptions.keys()) await client.query(`LISTEN ${channel}`);
    } catch (err) {
      await client.end().catch(() => {});
      throw err;
    }
    if (this.closed) {
      await client.end().catch(() => {});
      throw new Error('database closed');
    }
    this.client = client;
    return client;
  }

  private lost(client: pg.Client): void {
    if (this.client !== client) return;
    this.client = null;
    client.end().catch(() => {});
    void this.reconnect();
  }

  private async reconnect(): Promise<void> {
    if (this.reconnecting) return;
    this.reconnecting = true;
    let delay = RECONNECT_MIN_MS;
    try {
      while (!this.closed && !this.client && this.subscriptions.size > 0) {
        try {
          await this.connection();
          for (const subs of [...this.subscriptions.values()]) {
            for (const s of subs) if (s.opts.onReconnect) deliver([s.opts.onReconnect], '');
          }
        } catch {
          await new Promise((r) => setTimeout(r, delay).unref());
          delay = Math.min(delay * 2, RECONNECT_MAX_MS);
        }
      }
    } finally {
      this.reconnecting = false;
    }
  }
}
