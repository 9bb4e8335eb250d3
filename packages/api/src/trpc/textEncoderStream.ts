/**
 * A TextEncoderStream that encodes each chunk in one call, installed as the global one: tRPC encodes every SSE
 * message (and every batched streaming response) with `new TextEncoderStream()`, and Node 20's builds each chunk's
 * output one UTF-16 code unit at a time (`finalChunk += item`, since nodejs/node#44101), to carry a surrogate pair
 * split between chunks. For a 60 KB replay page that is 2.3 ms of CPU and about 2 MB of garbage per message per
 * subscriber (0.3 ms here): 200 late subscribers replaying 6,000 events spent most of their time and heap in it.
 * The progress streams are now written by our own responder (sseSubscriptions.ts), but tRPC's path still carries
 * the inspector's snapshot stream, batched streaming responses and the progress streams' POST fallback.
 * Same output, per the Encoding standard: only a high surrogate ending a chunk waits for the next one.
 */
const REPLACEMENT = new Uint8Array([0xef, 0xbf, 0xbd]);

const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff;

export class ChunkTextEncoderStream implements TransformStream<string, Uint8Array> {
  readonly encoding = 'utf-8';
  readonly readable: ReadableStream<Uint8Array>;
  readonly writable: WritableStream<string>;

  constructor() {
    const encoder = new TextEncoder();
    let pendingHigh = '';
    const { readable, writable } = new TransformStream<string, Uint8Array>({
      transform(chunk, controller) {
        let text = pendingHigh + String(chunk);
        pendingHigh = '';
        if (text.length > 0 && isHighSurrogate(text.charCodeAt(text.length - 1))) {
          pendingHigh = text.slice(-1);
          text = text.slice(0, -1);
        }
        // A lone surrogate left inside (no pair) is encoded as U+FFFD by TextEncoder itself.
        if (text.length > 0) controller.enqueue(encoder.encode(text));
      },
      flush(controller) {
        if (pendingHigh) controller.enqueue(REPLACEMENT.slice());
      },
    });
    this.readable = readable;
    this.writable = writable;
  }
}

/** Replaces the global TextEncoderStream (what tRPC's stream responses use) with ChunkTextEncoderStream. */
export function installChunkTextEncoderStream(): void {
  globalThis.TextEncoderStream = ChunkTextEncoderStream as unknown as typeof TextEncoderStream;
}
