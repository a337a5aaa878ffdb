import { GatewayError } from "../errors/catalog.js";
import type { ChunkStream, StreamPiece } from "../providers/types.js";

/**
 * Waits for a stream's first chunk before the gateway answers its client, and hands back a stream
 * that yields that chunk first. Until then nothing has reached the client, so a stream cut or failed
 * before its first chunk is an ordinary failed attempt that a retry or a fallback may repair, and a
 * stream that ends without any chunk is one too (a 502), instead of an empty 200.
 */
export async function startStream(stream: ChunkStream, provider: string): Promise<ChunkStream> {
  const it = stream[Symbol.asyncIterator]();
  let first: IteratorResult<StreamPiece>;
  try {
    first = await it.next();
  } catch (err) {
    stream.cancel();
    throw err;
  }
  if (first.done) {
    throw new GatewayError("upstream_error", `${provider} ended the stream before sending anything.`, {
      status: 502,
    });
  }
  // A plain iterator, not a generator: no extra promise hop per chunk on the relay's hot loop.
  let pending: IteratorResult<StreamPiece> | undefined = first;
  const rest: AsyncIterator<StreamPiece> = {
    next() {
      if (pending === undefined) return it.next();
      const head = pending;
      pending = undefined;
      return Promise.resolve(head);
    },
    return(value?: unknown) {
      pending = undefined;
      return it.return ? it.return(value) : Promise.resolve({ done: true, value: undefined });
    },
  };
  return { cancel: () => stream.cancel(), [Symbol.asyncIterator]: () => rest };
}
