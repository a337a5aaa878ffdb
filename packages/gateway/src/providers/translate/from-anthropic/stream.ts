import type { ChatCompletionChunk } from "../../openai-types.js";
import { anthropicUsage, stopReason } from "./response.js";

type Obj = Record<string, unknown>;

/** One Anthropic stream event: its name and its data. */
export interface NamedEvent {
  event: string;
  data: Obj;
}

/**
 * Turns OpenAI chat chunks (as the stream relay sends them, with `include_usage` on so the last chunk
 * carries usage and no choices) into Anthropic's Messages events: message_start, one
 * content_block_start/…_delta/…_stop run per text or tool call block, message_delta with the stop
 * reason and usage, message_stop.
 */
export class AnthropicEventWriter {
  private started = false;
  /** The open block: its Anthropic index and what it is (text, or the chat index of a tool call). */
  private open: { index: number; kind: "text" | number } | undefined;
  private nextIndex = 0;
  private finish: string | null = null;

  constructor(private readonly model: string) {}

  /** The events for one chunk, in order. */
  push(chunk: ChatCompletionChunk): NamedEvent[] {
    const out: NamedEvent[] = [];
    if (!this.started) {
      this.started = true;
      out.push({
        event: "message_start",
        data: {
          type: "message_start",
          message: {
            id: chunk.id.startsWith("msg_") ? chunk.id : `msg_${chunk.id}`,
            type: "message",
            role: "assistant",
            model: this.model,
            content: [],
            stop_reason: null,
            stop_sequence: null,
            usage: { input_tokens: 0, output_tokens: 0 },
          },
        },
      });
    }
    const choice = chunk.choices[0];
    if (choice) {
      const delta = choice.delta;
      if (typeof delta?.content === "string" && delta.content !== "") {
        if (this.open?.kind !== "text") out.push(...this.startBlock("text", { type: "text", text: "" }));
        out.push(this.delta({ type: "text_delta", text: delta.content }));
      }
      for (const call of delta?.tool_calls ?? []) {
        if (this.open?.kind !== call.index) {
          out.push(
            ...this.startBlock(call.index, {
              type: "tool_use",
              id: call.id ?? "",
              name: call.function?.name ?? "",
              input: {},
            }),
          );
        }
        const args = call.function?.arguments;
        if (args) out.push(this.delta({ type: "input_json_delta", partial_json: args }));
      }
      if (choice.finish_reason) this.finish = choice.finish_reason;
    }
    if (chunk.usage) {
      out.push(...this.closeBlock());
      out.push({
        event: "message_delta",
        data: {
          type: "message_delta",
          delta: { stop_reason: stopReason(this.finish), stop_sequence: null },
          usage: anthropicUsage(chunk.usage),
        },
      });
      out.push({ event: "message_stop", data: { type: "message_stop" } });
    }
    return out;
  }

  private startBlock(kind: "text" | number, block: Obj): NamedEvent[] {
    const out = this.closeBlock();
    this.open = { index: this.nextIndex++, kind };
    out.push({
      event: "content_block_start",
      data: { type: "content_block_start", index: this.open.index, content_block: block },
    });
    return out;
  }

  private delta(delta: Obj): NamedEvent {
    return {
      event: "content_block_delta",
      data: { type: "content_block_delta", index: this.open?.index ?? 0, delta },
    };
  }

  private closeBlock(): NamedEvent[] {
    if (!this.open) return [];
    const index = this.open.index;
    this.open = undefined;
    return [{ event: "content_block_stop", data: { type: "content_block_stop", index } }];
  }
}
