import type { ChatCompletion, ToolCall, Usage } from "../openai-types.js";
import { buildCompletion, completionId } from "../translate/chunks.js";

type Obj = Record<string, unknown>;

const FINISH: Readonly<Record<string, string>> = {
  end_turn: "stop",
  stop_sequence: "stop",
  pause_turn: "stop",
  max_tokens: "length",
  model_context_window_exceeded: "length",
  tool_use: "tool_calls",
  refusal: "content_filter",
};

/** Anthropic `stop_reason` → OpenAI `finish_reason` (reference §4.2); unknown reasons read as `stop`. */
export function anthropicFinishReason(stopReason: unknown): string {
  return (typeof stopReason === "string" ? FINISH[stopReason] : undefined) ?? "stop";
}

const count = (n: unknown): number => (typeof n === "number" && Number.isFinite(n) && n > 0 ? n : 0);

/**
 * Anthropic usage → OpenAI usage. `input_tokens` excludes cached parts, so the prompt is the sum of
 * the three input counts; cache reads are `cached_tokens`, cache writes `cache_write_tokens` (each
 * priced at its own rate); thinking tokens are a breakdown of `output_tokens`, not an addition.
 */
export function anthropicUsage(usage: Obj): Usage {
  const read = count(usage.cache_read_input_tokens);
  const written = count(usage.cache_creation_input_tokens);
  const prompt = count(usage.input_tokens) + read + written;
  const completion = count(usage.output_tokens);
  const details = usage.output_tokens_details as Obj | null | undefined;
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: read, cache_write_tokens: written },
    completion_tokens_details: { reasoning_tokens: count(details?.thinking_tokens) },
  };
}

/** Tool input as OpenAI's argument string. */
export function argumentsOf(input: unknown): string {
  return JSON.stringify(input ?? {});
}

/** A Message → an OpenAI chat completion: text blocks joined, tool_use blocks as tool calls, thinking dropped. */
export function fromAnthropicMessage(message: Obj, model: string): ChatCompletion {
  const texts: string[] = [];
  const toolCalls: ToolCall[] = [];
  for (const block of Array.isArray(message.content) ? (message.content as Obj[]) : []) {
    if (block.type === "text" && typeof block.text === "string") texts.push(block.text);
    else if (block.type === "tool_use") {
      toolCalls.push({
        id: String(block.id),
        type: "function",
        function: { name: String(block.name), arguments: argumentsOf(block.input) },
      });
    }
  }
  return buildCompletion({
    id: typeof message.id === "string" ? message.id : completionId(),
    model,
    text: texts.join(""),
    toolCalls,
    finishReason: anthropicFinishReason(message.stop_reason),
    usage:
      message.usage && typeof message.usage === "object" ? anthropicUsage(message.usage as Obj) : undefined,
  });
}
