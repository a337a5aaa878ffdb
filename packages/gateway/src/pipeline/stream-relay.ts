import type { ModelPrice } from "../config/prices.js";
import { GatewayError } from "../errors/catalog.js";
import type { ChatCompletionChunk, Usage } from "../providers/openai-types.js";
import type { ChunkStream } from "../providers/types.js";
import type { ChatRequest } from "./chat-request.js";
import { estimateUsage, priceUsage, type UsageSummary } from "./usage-math.js";

/** Where relayed events go; `send` writes one `data:` event and flushes it. */
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
  delivered?: DeliveredText;
}

/** The completion text relayed so far, content and tool arguments, in pieces. */
export interface DeliveredText {
  text: string[];
}

/**
 * Relays an upstream chunk stream to the client, rewriting only what it must: `model` (to the
 * requested `provider/model`) and the usage tail. Every successful stream reports usage and cost:
 * on a final `choices: []` chunk when the client asked for `stream_options.include_usage`, otherwise
 * on the last chunk with a `finish_reason` — held back until usage is known — so clients that read
 * `choices[0]` on every chunk never break. Throws GatewayError when the upstream fails mid-way.
 */
export async function relayStream(
  chunks: ChunkStream,
  sink: EventSink,
  opts: RelayOptions,
): Promise<UsageSummary> {
  const includeUsage = opts.request.stream_options?.include_usage === true;
  let held: ChatCompletionChunk | undefined;
  let usage: Usage | undefined;
  let last: ChatCompletionChunk | undefined;
  let finished = false;
  let first = true;
  const text: string[] = opts.delivered?.text ?? [];

  for await (const chunk of chunks) {
    chunk.model = opts.publicModel;
    last = chunk;
    if (chunk.usage) usage = chunk.usage;
    if (!Array.isArray(chunk.choices) || chunk.choices.length === 0) continue; // the usage chunk: re-sent at the end
    let finishing = false;
    for (const choice of chunk.choices) {
      const delta = choice.delta;
      if (typeof delta?.content === "string") text.push(delta.content);
      if (delta?.tool_calls) for (const call of delta.tool_calls) text.push(call.function?.arguments ?? "");
      if (choice.finish_reason) finishing = true;
    }
    if (includeUsage) chunk.usage = null;
    else delete chunk.usage;
    if (first) {
      first = false;
      opts.onFirstChunk();
    }
    if (finishing) {
      finished = true;
      if (!includeUsage) {
        if (held) sink.send(JSON.stringify(held));
        held = chunk;
        continue;
      }
    }
    sink.send(JSON.stringify(chunk));
    // A slow client slows the upstream read instead of growing a buffer in the gateway.
    const waiting = sink.drained?.();
    if (waiting) await waiting;
  }

  if (!finished) {
    throw new GatewayError("upstream_error", "The provider closed the stream before it finished.");
  }
  const finalUsage = usage ?? (await estimateUsage(opts.request, text.join("")));
  const summary = priceUsage(finalUsage, opts.price);
  if (includeUsage) {
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
  } else if (held) {
    held.usage = finalUsage;
    sink.send(JSON.stringify(held));
  }
  return summary;
}
