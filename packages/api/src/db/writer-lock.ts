import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type SQLite from 'better-sqlite3';
import { DatabaseTargetError } from './target.ts';

/** Who holds an embedded database: written beside it by the holder, read by a process that is refused. */
export interface WriterHolder {
  pid: number;
  host: string;
  since: string;
}

export class DatabaseInUseError extends Error {
  override name = 'DatabaseInUseError';
}

export interface WriterLockOptions {
  /** Wait for the holder to stop (and take over) instead of refusing to start. */
  standby?: boolean;
  /** Told once when a standby starts waiting. */
  onWaiting?: (holder: WriterHolder | null) => void;
  /** How often a standby tries again. Default 500 ms. */
  retryMs?: number;
}

const holderFile = (path: string) => `${path}.holder`;

/**
 * One writer per SQLite file. The lease is SQLite's own exclusive lock (`locking_mode = EXCLUSIVE`, taken by a
 * first write and kept until the connection closes): the kernel releases it when the holder exits, kill -9
 * included, so a standby takes over at once, and a holder that is merely slow or frozen is never overtaken (a
 * time-based lease would let two processes write after a long pause). The first write is also the start-up probe:
 * a read-only file or folder refuses here, with one line. Call before any other statement on the handle.
 */
export async function acquireWriterLock(handle: SQLite.Database, path: string, opts: WriterLockOptions = {}): Promise<void> {
  handle.pragma('busy_timeout = 0');
  handle.pragma('locking_mode = EXCLUSIVE');
  let told = false;
  for (;;) {
    try {
      handle.pragma('journal_mode = WAL');
      // An empty write transaction takes the lock for good (and proves the file can be written).
      handle.exec('BEGIN IMMEDIATE; COMMIT;');
      break;
    } catch (err) {
      const code = (err as { code?: string }).code ?? '';
      if (code !== 'SQLITE_BUSY' && code !== 'SQLITE_LOCKED') throw new DatabaseTargetError(`database "${path}" cannot be written: ${(err as Error).message}`);
      const holder = readHolder(path);
      if (!opts.standby) {
        const who = holder ? `pid ${holder.pid} on ${holder.host} (since ${holder.since})` : 'another process';
        throw new DatabaseInUseError(`database "${path}" is in use by ${who}; stop it, or set CLIPFLEET_STANDBY=1 to wait and take over when it stops`);
      }
      if (!told) opts.onWaiting?.(holder);
      told = true;
      await new Promise((r) => setTimeout(r, opts.retryMs ?? 500));
    }
  }
  const me: WriterHolder = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
  // Best effort: the lock is the guarantee, the file only names the holder in a refusal.
  try {
    writeFileSync(holderFile(path), `${JSON.stringify(me)}\n`);
  } catch {
    /* a read-only folder next to a writable file: the refusal then says "another process" */
  }
}

/** Removes the holder file if it is still ours (a clean stop). */
export function releaseWriterLock(path: string): void {
  if (readHolder(path)?.pid === process.pid) rmSync(holderFile(path), { force: true });
}

function readHolder(path: string): WriterHolder | null {
  try {
    return JSON.parse(readFileSync(holderFile(path), 'utf8')) as WriterHolder;
  } catch {
    return null;
  }
}
