import { createServer, Socket, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../src/db/database.ts';
import { durableTransaction } from '../src/store/durable.ts';
import { readSetting, writeSetting } from '../src/store/settings.ts';
import { freshDatabase } from './helpers/postgres.ts';

/**
 * A TCP proxy in front of Postgres that, once armed, passes the next COMMIT to the server and then drops the
 * client's connection before the answer comes back: the transaction is in, the client cannot know.
 */
async function commitLosingProxy(target: URL): Promise<{ url: string; arm(): void; dropped(): number; close(): Promise<void> }> {
  let armed = false;
  let dropped = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = new Socket();
    sockets.add(client).add(upstream);
    upstream.connect(Number(target.port), target.hostname);
    let lost = false;
    client.on('data', (chunk) => {
      upstream.write(chunk);
      if (armed && /commit/i.test(chunk.toString('latin1'))) {
        armed = false;
        lost = true;
        dropped++;
        client.destroy();
      }
    });
    upstream.on('data', (chunk) => (lost ? upstream.end() : client.write(chunk)));
    client.on('close', () => !lost && upstream.end());
    upstream.on('close', () => client.destroy());
    client.on('error', () => {});
    upstream.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = new URL(target);
  url.port = String((server.address() as { port: number }).port);
  url.hostname = '127.0.0.1';
  return {
    url: url.toString(),
    arm: () => void (armed = true),
    dropped: () => dropped,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

describe('a COMMIT whose answer is lost on the connection (Postgres)', () => {
  const closing: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const close of closing.splice(0).reverse()) await close();
  });

  it('is known committed: the write returns as if answered, so the writer does not replay it', async () => {
    const direct = new URL(await freshDatabase());
    const db0 = await openDatabase(direct.toString());
    closing.push(() => db0.destroy());
    const proxy = await commitLosingProxy(direct);
    closing.push(() => proxy.close());
    const db: Db = await openDatabase(proxy.url);
    closing.push(() => db.destroy());

    proxy.arm();
    const answer = await durableTransaction(db, async (trx) => {
      await writeSetting(trx, 'answer-lost', 'in');
      return 42;
    });
    expect(proxy.dropped()).toBe(1);
    expect(answer).toBe(42);
    expect(await readSetting(db0, 'answer-lost')).toBe('in');
  });
});
