import { randomBytes } from "node:crypto";
import type { ChatCompletion, ChatCompletionChunk, ChunkChoice, ToolCall, Usage } from "../openai-types.js";

/** `chatcmpl-…` for vendors whose response has no id to reuse. */
export function completionId(): string {
  return `chatcmpl-${randomBytes(12).toString("hex")}`;
}

/** `call_…`: an OpenAI-looking tool-call id that also satisfies Anthropic's `^[a-zA-Z0-9_-]+$`. */
export function randomToolCallId(): string {
  return `call_${randomBytes(12).toString("hex")}`;
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/**
 * Makes the OpenAI chunks of one translated stream: the same `id`, `created` and `model` on every
 * chunk, as OpenAI sends them (the relay rewrites `model` to the public name).
 */
export class ChunkFactory {
  id: string;
  readonly created = nowSeconds();

  constructor(
    readonly model: string,
    id?: string,
  ) {
    this.id = id ?? completionId();
  }

  chunk(delta: ChunkChoice["delta"], finishReason: string | null = null): ChatCompletionChunk {
    return {
      id: this.id,
      object: "chat.completion.chunk",
      created: this.created,
      model: this.model,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    };
  }

  /** The usage tail, `choices: []` as OpenAI sends it with `include_usage`; the relay places it. */
  usage(usage: Usage): ChatCompletionChunk {
    return {
      id: this.id,
      object: "chat.completion.chunk",
      created: this.created,
      model: this.model,
      choices: [],
      usage,
    };
  }
}

export interface CompletionParts {
  id: string;
  model: string;
  text: string;
  toolCalls: ToolCall[];
  finishReason: string;
  usage: Usage | undefined;
}

/** A non-streaming OpenAI completion; `content` is null when the turn is only tool calls, as OpenAI does. */
export function buildCompletion(p: CompletionParts): ChatCompletion {
  const message: ChatCompletion["choices"][number]["message"] = {
    role: "assistant",
    content: p.text === "" && p.toolCalls.length > 0 ? null : p.text,
    refusal: null,
  };
  if (p.toolCalls.length > 0) message.tool_calls = p.toolCalls;
  const completion: ChatCompletion = {
    id: p.id,
    object: "chat.completion",
    created: nowSeconds(),
    model: p.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: p.finishReason }],
  };
  if (p.usage) completion.usage = p.usage;
  return completion;
}
