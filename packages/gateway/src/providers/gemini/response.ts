import type { ChatCompletion, ToolCall, Usage } from "../openai-types.js";
import { buildCompletion, completionId } from "../translate/chunks.js";
import { encodeCallId } from "./tool-call-id.js";

type Obj = Record<string, unknown>;

const LENGTH = new Set(["MAX_TOKENS"]);
const FILTERED = new Set([
  "SAFETY",
  "RECITATION",
  "BLOCKLIST",
  "PROHIBITED_CONTENT",
  "SPII",
  "IMAGE_SAFETY",
  "IMAGE_PROHIBITED_CONTENT",
  "IMAGE_RECITATION",
  "IMAGE_OTHER",
]);

/**
 * Gemini `finishReason` → OpenAI `finish_reason` (reference §4.2): a turn that called functions ends
 * with STOP, so the calls decide `tool_calls`; safety and recitation stops are `content_filter`;
 * the rest (OTHER, MALFORMED_FUNCTION_CALL…) has no OpenAI equivalent and reads as `stop`.
 */
export function geminiFinishReason(reason: unknown, calledTools: boolean): string {
  if (typeof reason === "string" && FILTERED.has(reason)) return "content_filter";
  if (typeof reason === "string" && LENGTH.has(reason)) return "length";
  return calledTools ? "tool_calls" : "stop";
}

const count = (n: unknown): number => (typeof n === "number" && Number.isFinite(n) && n > 0 ? n : 0);

/**
 * `usageMetadata` → OpenAI usage: the prompt includes tool-use prompt tokens, the completion includes
 * thinking tokens (which `candidatesTokenCount` leaves out); cached tokens are part of the prompt.
 */
export function geminiUsage(meta: Obj): Usage {
  const prompt = count(meta.promptTokenCount) + count(meta.toolUsePromptTokenCount);
  const thoughts = count(meta.thoughtsTokenCount);
  const completion = count(meta.candidatesTokenCount) + thoughts;
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: count(meta.totalTokenCount) || prompt + completion,
    prompt_tokens_details: { cached_tokens: count(meta.cachedContentTokenCount) },
    completion_tokens_details: { reasoning_tokens: thoughts },
  };
}

/** A functionCall part as an OpenAI tool call, its id carrying what the next turn must send back. */
export function toolCallOf(part: Obj): ToolCall {
  const call = part.functionCall as Obj;
  const id = encodeCallId({
    ...(typeof call.id === "string" && call.id !== "" ? { geminiId: call.id } : {}),
    ...(typeof part.thoughtSignature === "string" ? { signature: part.thoughtSignature } : {}),
  });
  return {
    id,
    type: "function",
    function: { name: String(call.name), arguments: JSON.stringify(call.args ?? {}) },
  };
}

/** Text of a part the client should see: thoughts are dropped. */
export function visibleText(part: Obj): string | undefined {
  return typeof part.text === "string" && part.thought !== true ? part.text : undefined;
}

export function candidateParts(response: Obj): { candidate: Obj | undefined; parts: Obj[] } {
  const candidate = Array.isArray(response.candidates)
    ? (response.candidates[0] as Obj | undefined)
    : undefined;
  const content = candidate?.content as Obj | undefined;
  return { candidate, parts: Array.isArray(content?.parts) ? (content.parts as Obj[]) : [] };
}

/** True when Gemini refused the prompt itself: no candidates, a `promptFeedback.blockReason`. */
export function promptBlocked(response: Obj): boolean {
  const feedback = response.promptFeedback as Obj | undefined;
  return typeof feedback?.blockReason === "string";
}

/** A GenerateContentResponse → an OpenAI chat completion. */
export function fromGeminiResponse(response: Obj, model: string): ChatCompletion {
  const { candidate, parts } = candidateParts(response);
  const texts: string[] = [];
  const toolCalls: ToolCall[] = [];
  for (const part of parts) {
    const text = visibleText(part);
    if (text !== undefined) texts.push(text);
    else if (part.functionCall && typeof part.functionCall === "object") toolCalls.push(toolCallOf(part));
  }
  const finishReason =
    candidate === undefined && promptBlocked(response)
      ? "content_filter"
      : geminiFinishReason(candidate?.finishReason, toolCalls.length > 0);
  return buildCompletion({
    id:
      typeof response.responseId === "string" && response.responseId !== ""
        ? response.responseId
        : completionId(),
    model,
    text: texts.join(""),
    toolCalls,
    finishReason,
    usage:
      response.usageMetadata && typeof response.usageMetadata === "object"
        ? geminiUsage(response.usageMetadata as Obj)
        : undefined,
  });
}
