import { GatewayError } from "../../errors/catalog.js";
import type { ChatCompletionChunk } from "../openai-types.js";
import type { SseEvent } from "../sse-events.js";
import { ChunkFactory } from "../translate/chunks.js";
import { anthropicFinishReason, anthropicUsage } from "./response.js";

type Obj = Record<string, unknown>;

type BlockState =
  | { kind: "text" }
  | { kind: "tool"; toolIndex: number; hasArguments: boolean }
  | { kind: "other" };

/**
 * Anthropic stream events → OpenAI chunks (reference §2.5, §4.3). Feed events in order with `push`;
 * `done` turns true at `message_stop`. Tool calls are numbered among tool calls only (Anthropic's block
 * `index` also counts text and thinking blocks), argument fragments are forwarded as they come, usage is
 * merged from `message_start` and the cumulative `message_delta`, `ping` and unknown events are ignored,
 * and an `error` event throws (the pipeline turns it into the in-band error frame).
 */
export class AnthropicStreamTranslator {
  done = false;
  private readonly out: ChunkFactory;
  private readonly blocks = new Map<number, BlockState>();
  private toolCount = 0;
  private usage: Obj = {};

  constructor(
    model: string,
    readonly providerName: string,
  ) {
    this.out = new ChunkFactory(model);
  }

  push(data: Obj): ChatCompletionChunk[] {
    switch (data.type) {
      case "message_start":
        return this.start(data.message as Obj | undefined);
      case "content_block_start":
        return this.blockStart(Number(data.index), data.content_block as Obj);
      case "content_block_delta":
        return this.blockDelta(Number(data.index), data.delta as Obj);
      case "content_block_stop":
        return this.blockStop(Number(data.index));
      case "message_delta":
        return this.messageDelta(data);
      case "message_stop":
        this.done = true;
        return [this.out.usage(anthropicUsage(this.usage))];
      case "error":
        throw this.failure(data);
      default:
        // ping, and event types newer than this code.
        return [];
    }
  }

  private start(message: Obj | undefined): ChatCompletionChunk[] {
    if (typeof message?.id === "string") this.out.id = message.id;
    if (message?.usage && typeof message.usage === "object") this.usage = { ...(message.usage as Obj) };
    return [this.out.chunk({ role: "assistant", content: "" })];
  }

  private blockStart(index: number, block: Obj): ChatCompletionChunk[] {
    if (block?.type === "tool_use") {
      const toolIndex = this.toolCount++;
      this.blocks.set(index, { kind: "tool", toolIndex, hasArguments: false });
      return [
        this.out.chunk({
          tool_calls: [
            {
              index: toolIndex,
              id: String(block.id),
              type: "function",
              function: { name: String(block.name), arguments: "" },
            },
          ],
        }),
      ];
    }
    if (block?.type === "text") {
      this.blocks.set(index, { kind: "text" });
      return typeof block.text === "string" && block.text !== ""
        ? [this.out.chunk({ content: block.text })]
        : [];
    }
    this.blocks.set(index, { kind: "other" });
    return [];
  }

  private blockDelta(index: number, delta: Obj): ChatCompletionChunk[] {
    const block = this.blocks.get(index);
    if (delta?.type === "text_delta" && block?.kind === "text") {
      return delta.text === "" ? [] : [this.out.chunk({ content: String(delta.text) })];
    }
    if (delta?.type === "input_json_delta" && block?.kind === "tool") {
      // Fragments are not JSON on their own (reference §4.4 item 9); they concatenate into the input.
      const fragment = String(delta.partial_json ?? "");
      if (fragment === "") return [];
      block.hasArguments = true;
      return [
        this.out.chunk({ tool_calls: [{ index: block.toolIndex, function: { arguments: fragment } }] }),
      ];
    }
    // thinking_delta, signature_delta, citations_delta: nothing an OpenAI client reads.
    return [];
  }

  private blockStop(index: number): ChatCompletionChunk[] {
    const block = this.blocks.get(index);
    // A tool without arguments may stream no fragment at all; "" would not parse as JSON for the client.
    if (block?.kind === "tool" && !block.hasArguments) {
      return [this.out.chunk({ tool_calls: [{ index: block.toolIndex, function: { arguments: "{}" } }] })];
    }
    return [];
  }

  private messageDelta(data: Obj): ChatCompletionChunk[] {
    if (data.usage && typeof data.usage === "object") {
      // Counts are cumulative; a null means "not reported here", not zero.
      for (const [key, value] of Object.entries(data.usage as Obj))
        if (value != null) this.usage[key] = value;
    }
    const delta = (data.delta ?? {}) as Obj;
    if (delta.stop_reason == null) return [];
    return [this.out.chunk({}, anthropicFinishReason(delta.stop_reason))];
  }

  private failure(data: Obj): GatewayError {
    const error = (data.error ?? {}) as Obj;
    const message = typeof error.message === "string" ? error.message : "unknown error";
    const type = typeof error.type === "string" ? ` (${error.type})` : "";
    return new GatewayError("upstream_error", `${this.providerName} failed mid-stream${type}: ${message}`, {
      providerError: data,
    });
  }
}

/** Drives the translator over a decoded event stream; a stream that ends before `message_stop` failed. */
export async function* translateAnthropicStream(
  events: AsyncIterable<SseEvent>,
  translator: AnthropicStreamTranslator,
  parse: (event: SseEvent) => Obj,
): AsyncGenerator<ChatCompletionChunk> {
  for await (const event of events) {
    const data = parse(event);
    // The event name and `type` agree; an `event: error` with an odd body is still an error.
    if (event.event === "error" && data.type !== "error") data.type = "error";
    yield* translator.push(data);
    if (translator.done) return;
  }
  throw new GatewayError(
    "upstream_error",
    `${translator.providerName} closed the stream before it finished (no message_stop).`,
  );
}
