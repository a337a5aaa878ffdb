import { ChatCompletionAccumulator } from "../lib/chat-accumulator.js";
import type { ChatCompletion, ChatCompletionChunk } from "../resources/chat/types.js";
import { errorFromStreamFrame } from "./error-envelope.js";
import { MeshAPIAbortError, MeshAPIApiError, parseError, streamInterruptedError } from "./errors.js";
import { abortErrorFor, noop } from "./signals.js";
import { type ServerSentEvent, SSEDecoder, SSEEventTooLargeError } from "./sse.js";
import type { OpenedStream } from "./transport.js";

export interface StreamInit {
  /** Owns the whole call: aborting it cancels the request or closes the open stream. */
  controller: AbortController;
  /** Settles when the response's first body chunk arrived (or the call failed for good). */
  opened: Promise<OpenedStream>;
  /** Removes the caller's abort listeners; called exactly when the stream ends. */
  release: () => void;
  /** Fold chat chunks as they pass so `finalChatCompletion()` works during or after iteration. */
  accumulate: boolean;
}

/**
 * The server-sent events of one streaming call, as an async iterable of parsed chunks.
 *
 * Consumable once. Leaving a `for await` early (`break`, `return`, a throw) closes the HTTP
 * connection, which makes the gateway cancel the upstream request. A failure after the stream
 * started is thrown from the loop as a `MeshAPIApiError` (`status` 0).
 *
 * @example
 * const stream = client.chat.completions.create({ model, messages, stream: true });
 * for await (const chunk of stream) process.stdout.write(chunk.choices[0]?.delta.content ?? "");
 * console.log((await stream.finalChatCompletion()).usage);
 */
export class Stream<T> implements AsyncIterable<T> {
  /** Aborting it cancels the request, or closes the stream if it is open. */
  readonly controller: AbortController;
  /** The gateway's `x-request-id` (`req_<ULID>`), once the response headers arrived. */
  readonly requestId: Promise<string | undefined>;

  private readonly opened: Promise<OpenedStream>;
  private readonly release: () => void;
  private readonly accumulator: ChatCompletionAccumulator | undefined;
  private consumed = false;
  /** Settles when iteration ends: resolved after `[DONE]`, rejected with the error otherwise. */
  private readonly ended: Promise<void>;
  private settle!: (error: MeshAPIApiError | null) => void;

  constructor(init: StreamInit) {
    this.controller = init.controller;
    this.opened = init.opened;
    this.release = once(init.release);
    this.accumulator = init.accumulate ? new ChatCompletionAccumulator() : undefined;
    this.ended = new Promise<void>((resolve, reject) => {
      this.settle = once((error: MeshAPIApiError | null) => (error ? reject(error) : resolve()));
    });
    // Nobody may ever look at these; they must not surface as unhandled rejections.
    this.ended.catch(noop);
    this.opened.catch((error: unknown) => {
      this.release();
      this.settle(asApiError(error, this.controller.signal));
    });
    this.requestId = this.opened.then(
      (opened) => opened.requestId,
      (error: unknown) => (error instanceof MeshAPIApiError ? error.requestId : undefined),
    );
  }

  /**
   * Cancels the call; a running `for await` throws an error named `AbortError`.
   *
   * @example
   * setTimeout(() => stream.abort(), 10_000); // give up on answers slower than 10 s
   */
  abort(reason?: unknown): void {
    this.controller.abort(reason);
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    if (this.consumed) {
      throw new TypeError(
        "meshapi-node-sdk: this stream was already consumed; a Stream can be iterated only once " +
          "(use finalChatCompletion() to get the accumulated result).",
      );
    }
    this.consumed = true;
    return this.iterate();
  }

  /**
   * The complete `ChatCompletion` accumulated from the chunks: text, tool calls, finish reasons,
   * usage and cost. Reads the stream to its end if nobody iterates it; otherwise waits for the
   * running iteration to finish. Rejects with the stream's error if it failed or was closed early.
   *
   * @example
   * const completion = await client.chat.completions.create({ model, messages, tools, stream: true }).finalChatCompletion();
   * const calls = completion.choices[0]?.message.tool_calls ?? [];
   */
  async finalChatCompletion(this: Stream<ChatCompletionChunk>): Promise<ChatCompletion> {
    if (!this.accumulator)
      throw new TypeError("meshapi-node-sdk: this stream does not accumulate chat chunks.");
    if (!this.consumed) {
      for await (const _chunk of this) {
        // Draining: the accumulator sees every chunk as it passes.
      }
    }
    await this.ended;
    return this.accumulator.toCompletion();
  }

  /**
   * The first choice's accumulated text ("" when it produced none, e.g. only tool calls).
   *
   * @example
   * const text = await client.chat.completions.create({ model, messages, stream: true }).finalText();
   */
  async finalText(this: Stream<ChatCompletionChunk>): Promise<string> {
    const completion = await this.finalChatCompletion();
    return completion.choices[0]?.message.content ?? "";
  }

  /**
   * The chunks as newline-delimited JSON bytes, e.g. to forward from a server route to a browser.
   * Cancelling the readable stream closes the HTTP connection.
   *
   * @example
   * // In a fetch-style route handler:
   * return new Response(stream.toReadableStream(), { headers: { "content-type": "application/x-ndjson" } });
   */
  toReadableStream(): ReadableStream<Uint8Array> {
    const iterator = this[Symbol.asyncIterator]();
    const encoder = new TextEncoder();
    return new ReadableStream<Uint8Array>({
      async pull(controller) {
        try {
          const next = await iterator.next();
          if (next.done) controller.close();
          else controller.enqueue(encoder.encode(`${JSON.stringify(next.value)}\n`));
        } catch (error) {
          controller.error(error);
        }
      },
      async cancel() {
        await iterator.return?.();
      },
    });
  }

  private async *iterate(): AsyncGenerator<T, void, undefined> {
    let opened: OpenedStream | undefined;
    let sawDone = false;
    try {
      opened = await this.opened;
      const decoder = new SSEDecoder();
      let result = opened.first;
      for (;;) {
        const events = result.done ? decoder.flush() : decoder.decode(result.value);
        for (const event of events) {
          if (event.data === "[DONE]") {
            sawDone = true;
            break;
          }
          const item = this.parseEvent(event, opened.requestId);
          this.accumulator?.add(item as ChatCompletionChunk);
          yield item;
        }
        if (sawDone) break;
        if (result.done) {
          throw streamInterruptedError("the response ended without [DONE].", opened.requestId);
        }
        if (this.controller.signal.aborted) throw abortErrorFor(this.controller.signal);
        result = await opened.reader.read();
      }
      this.settle(null);
    } catch (error) {
      const apiError = asApiError(error, this.controller.signal, opened?.requestId);
      this.settle(apiError);
      throw apiError;
    } finally {
      if (opened) {
        if (sawDone) drainQuietly(opened.reader);
        else {
          // Early exit (break, error, abort): close the connection so the gateway stops upstream.
          this.controller.abort();
          opened.reader.cancel().catch(noop);
        }
        opened.unlink();
      }
      this.settle(new MeshAPIAbortError("The stream was closed before it finished."));
      this.release();
    }
  }

  private parseEvent(event: ServerSentEvent, requestId: string | undefined): T {
    let parsed: unknown;
    try {
      parsed = JSON.parse(event.data);
    } catch (cause) {
      throw parseError(0, "a stream event as JSON", event.data, requestId, cause);
    }
    if (typeof parsed === "object" && parsed !== null) {
      const record = parsed as Record<string, unknown>;
      if (record.error !== undefined && record.error !== null) throw errorFromStreamFrame(record, requestId);
    }
    if (event.event === "error") throw errorFromStreamFrame({ error: parsed }, requestId);
    return parsed as T;
  }
}

/**
 * A stream that can also be awaited, the habit of openai-node users: `await` waits for the response
 * (rejecting on HTTP errors) and yields the same stream, which from then on is no longer thenable.
 */
export type AwaitableStream<T> = Stream<T> & PromiseLike<Stream<T>>;

export function makeAwaitable<T>(stream: Stream<T>, opened: Promise<unknown>): AwaitableStream<T> {
  const target = stream as Stream<T> & { then?: unknown };
  // An own `then` that removes itself before resolving: resolving a promise with a thenable would
  // call `then` again, forever.
  // biome-ignore lint/suspicious/noThenProperty: being awaitable is the point; see the comment above.
  Object.defineProperty(target, "then", {
    configurable: true,
    enumerable: false,
    writable: true,
    value<R1 = Stream<T>, R2 = never>(
      onfulfilled?: ((value: Stream<T>) => R1 | PromiseLike<R1>) | null,
      onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
    ): Promise<R1 | R2> {
      return opened
        .then(() => {
          delete target.then;
          return stream;
        })
        .then(onfulfilled, onrejected);
    },
  });
  return target as AwaitableStream<T>;
}

function asApiError(error: unknown, signal: AbortSignal, requestId?: string): MeshAPIApiError {
  if (error instanceof MeshAPIApiError) return error;
  if (error instanceof SSEEventTooLargeError)
    return parseError(0, "the stream", error.message, requestId, error);
  if (signal.aborted) return abortErrorFor(signal);
  const reason = error instanceof Error ? error.message : String(error);
  return streamInterruptedError(`the connection failed (${reason}).`, requestId, error);
}

/** After `[DONE]` the body is finished in the background so the connection can be reused. */
function drainQuietly(reader: ReadableStreamDefaultReader<Uint8Array>): void {
  const pump = (): void => {
    reader.read().then((result) => {
      if (!result.done) pump();
    }, noop);
  };
  pump();
}

function once<A extends unknown[]>(fn: (...args: A) => void): (...args: A) => void {
  let called = false;
  return (...args: A) => {
    if (called) return;
    called = true;
    fn(...args);
  };
}
