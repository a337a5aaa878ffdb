/** Non-streaming OpenAI Chat Completion bodies (reference §1.4). */
import { newId } from "../ids.js";
import type { Reply, ToolCallPlan } from "../scenario.js";

export const SYSTEM_FINGERPRINT = "fp_meshsim01";

export interface OpenAIUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details: { cached_tokens: number; audio_tokens: number };
  completion_tokens_details: {
    reasoning_tokens: number;
    audio_tokens: number;
    accepted_prediction_tokens: number;
    rejected_prediction_tokens: number;
  };
}

export function openaiUsage(reply: Reply): OpenAIUsage {
  return {
    prompt_tokens: reply.promptTokens,
    completion_tokens: reply.completionTokens,
    total_tokens: reply.promptTokens + reply.completionTokens,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: 0,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

export function finishReason(reply: Reply): "stop" | "length" | "tool_calls" {
  if (reply.kind === "tools") return "tool_calls";
  return reply.truncated ? "length" : "stop";
}

export interface WireToolCall {
  id: string;
  type: "function";
  function: { name: string; arguments: string };
}

export function wireToolCalls(calls: ToolCallPlan[]): WireToolCall[] {
  return calls.map((call) => ({
    id: newId("call_"),
    type: "function",
    function: { name: call.name, arguments: call.argsJson },
  }));
}

export function chatCompletion(model: string, reply: Reply, withUsage: boolean): Record<string, unknown> {
  const message =
    reply.kind === "text"
      ? { role: "assistant", content: reply.text, refusal: null, annotations: [] }
      : {
          role: "assistant",
          content: null,
          refusal: null,
          tool_calls: wireToolCalls(reply.calls),
          annotations: [],
        };
  const body: Record<string, unknown> = {
    id: newId("chatcmpl-"),
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason(reply) }],
    service_tier: "default",
    system_fingerprint: SYSTEM_FINGERPRINT,
  };
  if (withUsage) body.usage = openaiUsage(reply);
  return body;
}
