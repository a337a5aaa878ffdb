import type { ModelPrice } from "../config/prices.js";
import { GatewayError } from "../errors/catalog.js";
import type { ChatCompletionChunk, Usage } from "../providers/openai-types.js";
import { type ChunkStream, RawChunks } from "../providers/types.js";
import type { ChatRequest } from "./chat-request.js";
import { rewriteRawChunk } from "./raw-chunk.js";
import { StreamTranscript } from "./stream-transcript.js";
import { estimateUsage, priceUsage, type UsageSummary } from "./usage-math.js";

/** Where relayed events go; `send` writes one `data:` event (writers batch what one tick sends). */
export interface EventSink {
  send(json: string): void;
  /** Resolves once the client has taken what was sent (backpressure); undefined when nothing is waiting. */
  drained?(): Promise<void> | undefined;
}

export interface RelayOptions {
  request: ChatRequest;
  publicModel: string;
  price: ModelPrice | undefined;
  /** Called once, when the first chunk reaches the client (time to first token). */
  onFirstChunk: () => void;
  /**
   * Filled as chunks are relayed (the text their tokens were spent on), so a stream that fails
   * mid-way can still be accounted for what reached the client.
   */
  transcript?: StreamTranscript;
}

/**
 * Relays an upstream chunk stream to the client, rewriting only what it must: `model` (to the
 * requested `provider/model`) and the usage tail. Every successful stream reports usage and cost:
 * on a final `choices: []` chunk when the client asked for `stream_options.include_usage`, otherwise
 * on the last chunk with a `finish_reason` — held back until usage is known — so clients that read
 * `choices[0]` on every chunk never break. A pass-through vendor's chunks arrive as text and most go
 * out as edited text (raw-chunk.ts); only the ones carrying usage, a finish or no choices are parsed.
 * Throws GatewayError when the upstream fails mid-way.
 */
export async function relayStream(
  chunks: ChunkStream,
  sink: EventSink,
  opts: RelayOptions,
): Promise<UsageSummary> {
  const state = new RelayState(sink, opts);
  for await (const piece of chunks) {
    if (piece instanceof RawChunks) for (const text of piece.texts) state.raw(text);
    else state.parsed(piece);
    // A slow client slows the upstream read instead of growing a buffer in the gateway.
    const waiting = sink.drained?.();
    if (waiting) await waiting;
  }
  return state.finish();
}

class RelayState {
  private readonly includeUsage: boolean;
  private readonly modelJson: string;
  private held: ChatCompletionChunk | undefined;
  private usage: Usage | undefined;
  /** The last chunk seen, parsed or as text: the usage tail copies its id and `created`. */
  private last: ChatCompletionChunk | string | undefined;
  private finished = false;
  private first = true;
  private readonly transcript: StreamTranscript;

  constructor(
    private readonly sink: EventSink,
    private readonly opts: RelayOptions,
  ) {
    this.includeUsage = opts.request.stream_options?.include_usage === true;
    this.modelJson = JSON.stringify(opts.publicModel);
    this.transcript = opts.transcript ?? new StreamTranscript();
  }

  raw(text: string): void {
    const out = rewriteRawChunk(text, this.modelJson, this.includeUsage);
    if (out === undefined) {
      this.parsed(parseChunk(text));
      return;
    }
    this.last = text;
    this.transcript.addRaw(text);
    this.started();
    this.sink.send(out);
  }

  parsed(chunk: ChatCompletionChunk): void {
    const { opts, sink } = this;
    chunk.model = opts.publicModel;
    this.last = chunk;
    if (chunk.usage) this.usage = chunk.usage;
    if (!Array.isArray(chunk.choices) || chunk.choices.length === 0) return; // the usage chunk: re-sent at the end
    let finishing = false;
    for (const choice of chunk.choices) {
      this.transcript.addChoice(choice);
      if (choice.finish_reason) finishing = true;
    }
    if (this.includeUsage) chunk.usage = null;
    else delete chunk.usage;
    this.started();
    if (finishing) {
      this.finished = true;
      if (!this.includeUsage) {
        if (this.held) sink.send(JSON.stringify(this.held));
        this.held = chunk;
        return;
      }
    }
    sink.send(JSON.stringify(chunk));
  }

  async finish(): Promise<UsageSummary> {
    const { opts, sink } = this;
    if (!this.finished) {
      throw new GatewayError("upstream_error", "The provider closed the stream before it finished.");
    }
    const finalUsage = this.usage ?? (await estimateUsage(opts.request, this.transcript.text()));
    const summary = priceUsage(finalUsage, opts.price);
    if (this.includeUsage) {
      const last = typeof this.last === "string" ? parseChunk(this.last) : this.last;
      const tail: ChatCompletionChunk = {
        id: last?.id ?? "",
        object: "chat.completion.chunk",
        created: last?.created ?? Math.floor(Date.now() / 1000),
        model: opts.publicModel,
        choices: [],
        usage: finalUsage,
      };
      if (last?.system_fingerprint !== undefined) tail.system_fingerprint = last.system_fingerprint;
      sink.send(JSON.stringify(tail));
    } else if (this.held) {
      this.held.usage = finalUsage;
      sink.send(JSON.stringify(this.held));
    }
    return summary;
  }

  private started(): void {
    if (!this.first) return;
    this.first = false;
    this.opts.onFirstChunk();
  }
}

/** A raw chunk the relay must act on; one that is not JSON after all fails the stream. */
function parseChunk(text: string): ChatCompletionChunk {
  try {
    return JSON.parse(text) as ChatCompletionChunk;
  } catch {
    throw new GatewayError("upstream_error", "The provider sent a malformed stream event.", {
      providerError: text.slice(0, 512),
    });
  }
}
