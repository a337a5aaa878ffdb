/** Anthropic Message bodies (reference §2.4). */
import { newId } from "../ids.js";
import type { Reply } from "../scenario.js";

export type StopReason = "end_turn" | "max_tokens" | "tool_use";

export function stopReason(reply: Reply): StopReason {
  if (reply.kind === "tools") return "tool_use";
  return reply.truncated ? "max_tokens" : "end_turn";
}

export interface AnthropicUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
  cache_creation: { ephemeral_5m_input_tokens: number; ephemeral_1h_input_tokens: number };
  server_tool_use: null;
  service_tier: "standard";
  output_tokens_details: { thinking_tokens: number };
}

export function anthropicUsage(inputTokens: number, outputTokens: number): AnthropicUsage {
  return {
    input_tokens: inputTokens,
    output_tokens: outputTokens,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
    server_tool_use: null,
    service_tier: "standard",
    output_tokens_details: { thinking_tokens: 0 },
  };
}

export interface ToolUseBlock {
  type: "tool_use";
  id: string;
  name: string;
  input: Record<string, unknown>;
  caller: { type: "direct" };
}

export function toolUseBlocks(reply: Reply & { kind: "tools" }): ToolUseBlock[] {
  return reply.calls.map((call) => ({
    type: "tool_use",
    id: newId("toolu_"),
    name: call.name,
    input: call.args,
    caller: { type: "direct" },
  }));
}

/** The fields a Message has before any content, shared by responses and `message_start`. */
export function messageShell(model: string): Record<string, unknown> {
  return {
    id: newId("msg_"),
    type: "message",
    role: "assistant",
    model,
    content: [],
    stop_reason: null,
    stop_sequence: null,
    stop_details: null,
    container: null,
  };
}

export function anthropicMessage(model: string, reply: Reply): Record<string, unknown> {
  const message = messageShell(model);
  message.content =
    reply.kind === "text" ? [{ type: "text", text: reply.text, citations: null }] : toolUseBlocks(reply);
  message.stop_reason = stopReason(reply);
  message.usage = anthropicUsage(reply.promptTokens, reply.completionTokens);
  return message;
}
