import { computeCost, type ModelPrice } from "../config/prices.js";
import type { ChatCompletion, Usage } from "../providers/openai-types.js";
import type { UsageEvent } from "../store/types.js";
import type { ChatRequest } from "./chat-request.js";

/** The usage part of a request's usage event. */
export type UsageSummary = Pick<
  UsageEvent,
  "promptTokens" | "completionTokens" | "cachedTokens" | "reasoningTokens" | "costUsd" | "estimated"
>;

export const EMPTY_USAGE: UsageSummary = {
  promptTokens: 0,
  completionTokens: 0,
  cachedTokens: 0,
  reasoningTokens: 0,
  costUsd: null,
  estimated: false,
};

/** Adds `cost` (when the price is known) to an upstream usage object and summarises it for accounting. */
export function priceUsage(usage: Usage, price: ModelPrice | undefined): UsageSummary {
  const promptTokens = nonNegative(usage.prompt_tokens);
  const completionTokens = nonNegative(usage.completion_tokens);
  const cachedTokens = nonNegative(usage.prompt_tokens_details?.cached_tokens);
  const costUsd = price
    ? computeCost(price, {
        promptTokens,
        completionTokens,
        cachedTokens,
        cacheWriteTokens: nonNegative(usage.prompt_tokens_details?.cache_write_tokens),
      })
    : null;
  if (costUsd !== null) usage.cost = costUsd;
  // One literal with a fixed shape: a spread here sent V8 down a slow property-definition path.
  return {
    promptTokens,
    completionTokens,
    cachedTokens,
    reasoningTokens: nonNegative(usage.completion_tokens_details?.reasoning_tokens),
    costUsd,
    estimated: usage.estimated === true,
  };
}

type Tokenizer = (text: string) => number;
let tokenizer: Promise<Tokenizer> | undefined;

/** Loaded on first use: most upstreams report usage, so most processes never pay for the encoder. */
function loadTokenizer(): Promise<Tokenizer> {
  tokenizer ??= import("gpt-tokenizer").then((m) => (text: string) => m.countTokens(text));
  return tokenizer;
}

/** Tokens in a text by the gateway's own count (for upstreams that report none). */
export async function countTextTokens(text: string): Promise<number> {
  const count = await loadTokenizer();
  return count(text);
}

/** Gateway-side usage for an upstream that reported none; marked `estimated`. */
export async function estimateUsage(request: ChatRequest, completionText: string): Promise<Usage> {
  const count = await loadTokenizer();
  let prompt = 3;
  for (const message of request.messages) {
    // ~4 tokens of framing per message, as OpenAI's own counting guide describes.
    prompt += 4 + count(messageText(message));
  }
  const completion = completionText ? count(completionText) : 0;
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    estimated: true,
  };
}

function messageText(message: ChatRequest["messages"][number]): string {
  const parts: string[] = [];
  const content = (message as { content?: unknown }).content;
  if (typeof content === "string") parts.push(content);
  else if (Array.isArray(content)) {
    for (const part of content) if (part && typeof part.text === "string") parts.push(part.text);
  }
  const calls = (message as { tool_calls?: { function: { name: string; arguments: string } }[] }).tool_calls;
  for (const call of calls ?? []) parts.push(call.function.name, call.function.arguments);
  return parts.join("\n");
}

function nonNegative(n: unknown): number {
  return typeof n === "number" && Number.isFinite(n) && n > 0 ? n : 0;
}

/** The text a completion's tokens were spent on (content and tool arguments), for estimating usage. */
export function completionText(completion: ChatCompletion): string {
  return completion.choices
    .map(
      (c) =>
        (c.message?.content ?? "") + (c.message?.tool_calls ?? []).map((t) => t.function.arguments).join(""),
    )
    .join("");
}

/**
 * The usage of a stream that failed after it reached the client: the gateway's count of the prompt
 * and of the text it relayed (the upstream's own usage comes only at a stream's end), priced, marked
 * `estimated`.
 */
export async function deliveredUsage(
  request: ChatRequest,
  deliveredText: string,
  price: ModelPrice | undefined,
): Promise<UsageSummary> {
  return priceUsage(await estimateUsage(request, deliveredText), price);
}
