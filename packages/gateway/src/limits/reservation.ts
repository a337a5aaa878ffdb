import type { ModelPrice } from "../config/prices.js";
import type { ChatRequest } from "../pipeline/chat-request.js";
import { toNanos } from "./types.js";

/**
 * A request's worst-case prompt, in tokens, without running a tokenizer on the hot path: no common
 * tokenizer packs fewer than ~3 characters of text into a token, so characters / 3 errs high.
 */
export function estimatePromptTokens(request: ChatRequest): number {
  let chars = 0;
  for (const m of request.messages) {
    const content = (m as { content?: unknown }).content;
    if (typeof content === "string") chars += content.length;
    else if (Array.isArray(content)) {
      for (const part of content) {
        if (part && typeof part === "object" && typeof (part as { text?: unknown }).text === "string")
          chars += (part as { text: string }).text.length;
        // Images, audio and files: a generous flat allowance each.
        else chars += 3 * 1_500;
      }
    }
    const calls = (m as { tool_calls?: { function: { arguments: string } }[] }).tool_calls;
    for (const c of calls ?? []) chars += c.function.arguments.length + 32;
    chars += 12; // per-message framing
  }
  if (request.tools) chars += JSON.stringify(request.tools).length;
  return Math.ceil(chars / 3);
}

/**
 * The most a request can cost on any of its routes: its estimated prompt at the input rate plus its
 * completion budget (`max_completion_tokens` / `max_tokens`, else the configured default) at the output
 * rate, times `n`. Models without a known price cost nothing to reserve (their cost is unknown anyway).
 */
export function worstCaseNanos(
  request: ChatRequest,
  prices: readonly (ModelPrice | undefined)[],
  defaultCompletionTokens: number,
): number {
  const prompt = estimatePromptTokens(request);
  const completion =
    (request.max_completion_tokens ?? request.max_tokens ?? defaultCompletionTokens) * (request.n ?? 1);
  let worst = 0;
  for (const price of prices) {
    if (!price) continue;
    worst = Math.max(worst, (prompt * price.input + completion * price.output) / 1e6);
  }
  return toNanos(worst);
}
