import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { ChunkTextEncoderStream } from './textEncoderStream.ts';

/** Every byte a stream gives for these chunks, written one by one. */
async function encodeAll(stream: { readable: ReadableStream<Uint8Array>; writable: WritableStream<string> }, chunks: readonly string[]): Promise<number[]> {
  const bytes: number[] = [];
  const read = (async () => {
    for await (const part of stream.readable) bytes.push(...part);
  })();
  const writer = stream.writable.getWriter();
  for (const chunk of chunks) await writer.write(chunk);
  await writer.close();
  await read;
  return bytes;
}

/**
 * A text of ASCII, 2-byte, 3-byte and astral characters and lone surrogates, cut into chunks at any code unit:
 * surrogate pairs split between chunks included.
 */
const chunks = fc
  .tuple(fc.string({ unit: fc.constantFrom('a', 'é', '€', '😀', '\ud83d', '\ude00'), maxLength: 12 }), fc.array(fc.nat(), { maxLength: 6 }))
  .map(([text, cuts]) => {
    const at = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
    return [...at, text.length].map((end, i) => text.slice(i === 0 ? 0 : at[i - 1], end));
  });

describe('ChunkTextEncoderStream', () => {
  test.prop([chunks])('gives the bytes of the whole text encoded at once, as the platform stream does', async (parts) => {
    const whole = [...new TextEncoder().encode(parts.join(''))];
    expect(await encodeAll(new ChunkTextEncoderStream(), parts)).toEqual(whole);
  });

  test.prop([chunks])('agrees with the platform TextEncoderStream chunk by chunk', async (parts) => {
    expect(await encodeAll(new ChunkTextEncoderStream(), parts)).toEqual(await encodeAll(new TextEncoderStream(), parts));
  });

  it('joins a surrogate pair split between chunks, and ends a dangling high surrogate as U+FFFD', async () => {
    expect(await encodeAll(new ChunkTextEncoderStream(), ['a\ud83d', '\ude00b'])).toEqual([0x61, 0xf0, 0x9f, 0x98, 0x80, 0x62]);
    expect(await encodeAll(new ChunkTextEncoderStream(), ['a\ud83d'])).toEqual([0x61, 0xef, 0xbf, 0xbd]);
    expect(await encodeAll(new ChunkTextEncoderStream(), ['\ud83d', '', 'x'])).toEqual([0xef, 0xbf, 0xbd, 0x78]);
  });
});
