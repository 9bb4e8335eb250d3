import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalDiskStorage } from './local-disk.ts';
import { isPublicAddress } from './public-address.ts';
import { FileTooLarge } from './storage.ts';

describe('LocalDiskStorage', () => {
  const root = mkdtempSync(join(tmpdir(), 'clipfleet-storage-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const storage = new LocalDiskStorage(root);

  it('stores, streams back and deletes a file', async () => {
    expect(await storage.put('t1/0.mp4', Readable.from([Buffer.from('abc'), Buffer.from('def')]), { maxBytes: 10 })).toEqual({ bytes: 6 });
    const got = await storage.get('t1/0.mp4');
    expect(got?.bytes).toBe(6);
    const chunks: Buffer[] = [];
    for await (const c of got!.body) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('abcdef');
    await storage.delete('t1/0.mp4');
    expect(await storage.get('t1/0.mp4')).toBeUndefined();
  });

  it('refuses a file over the limit and keeps nothing of it', async () => {
    await expect(storage.put('t2/0.mp4', Readable.from([Buffer.alloc(8), Buffer.alloc(8)]), { maxBytes: 10 })).rejects.toThrow(FileTooLarge);
    expect(readdirSync(join(root, 't2'))).toEqual([]);
  });

  it('refuses keys that would leave its folder', async () => {
    await expect(storage.put('../escape.mp4', Readable.from([Buffer.from('x')]), { maxBytes: 10 })).rejects.toThrow(/invalid storage key/);
  });
});

describe('isPublicAddress', () => {
  it.each([
    ['8.8.8.8', true],
    ['2606:4700:4700::1111', true],
    ['127.0.0.1', false],
    ['10.1.2.3', false],
    ['172.16.0.1', false],
    ['192.168.1.1', false],
    ['169.254.169.254', false],
    ['100.64.0.1', false],
    ['0.0.0.0', false],
    ['::1', false],
    ['fe80::1', false],
    ['fd00::1', false],
    ['::ffff:127.0.0.1', false],
    ['not an address', false],
  ])('%s -> %s', (address, expected) => expect(isPublicAddress(address)).toBe(expected));
});
