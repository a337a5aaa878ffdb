/**
 * USD per one million tokens. `cachedInput` (cache reads) defaults to `input` when a vendor has no
 * cache discount; `cacheWrite` (Anthropic bills writing a prompt cache above the input rate) defaults
 * to `input` as well.
 */
export interface ModelPrice {
  input: number;
  output: number;
  cachedInput?: number;
  cacheWrite?: number;
}

export type PriceCatalog = ReadonlyMap<string, ModelPrice>;

/** Anthropic: cache reads at 0.1×, 5-minute cache writes at 1.25× the input rate. */
const CLAUDE_PRICES: Readonly<Record<string, ModelPrice>> = {
  "anthropic/claude-opus-4-6": { input: 5, output: 25, cachedInput: 0.5, cacheWrite: 6.25 },
  "anthropic/claude-sonnet-4-6": { input: 3, output: 15, cachedInput: 0.3, cacheWrite: 3.75 },
  "anthropic/claude-opus-4-5": { input: 5, output: 25, cachedInput: 0.5, cacheWrite: 6.25 },
  "anthropic/claude-sonnet-4-5": { input: 3, output: 15, cachedInput: 0.3, cacheWrite: 3.75 },
  "anthropic/claude-haiku-4-5": { input: 1, output: 5, cachedInput: 0.1, cacheWrite: 1.25 },
  "anthropic/claude-opus-4-1": { input: 15, output: 75, cachedInput: 1.5, cacheWrite: 18.75 },
  "anthropic/claude-opus-4-0": { input: 15, output: 75, cachedInput: 1.5, cacheWrite: 18.75 },
  "anthropic/claude-sonnet-4-0": { input: 3, output: 15, cachedInput: 0.3, cacheWrite: 3.75 },
};

/** Embedding models bill input tokens only (`/v1/embeddings`). */
const EMBEDDING_PRICES: Readonly<Record<string, ModelPrice>> = {
  "openai/text-embedding-3-small": { input: 0.02, output: 0 },
  "openai/text-embedding-3-large": { input: 0.13, output: 0 },
  "openai/text-embedding-ada-002": { input: 0.1, output: 0 },
  "mistral/mistral-embed": { input: 0.1, output: 0 },
  "google/gemini-embedding-001": { input: 0.15, output: 0 },
};

/**
 * List prices of the built-in providers' current models, keyed `provider/model`, as published by the
 * vendors (standard tier). Prices change: override or extend them with `prices` in the config file.
 */
export const BUILTIN_PRICES: Readonly<Record<string, ModelPrice>> = {
  "openai/gpt-5": { input: 1.25, output: 10, cachedInput: 0.125 },
  "openai/gpt-5-mini": { input: 0.25, output: 2, cachedInput: 0.025 },
  "openai/gpt-5-nano": { input: 0.05, output: 0.4, cachedInput: 0.005 },
  "openai/gpt-4.1": { input: 2, output: 8, cachedInput: 0.5 },
  "openai/gpt-4.1-mini": { input: 0.4, output: 1.6, cachedInput: 0.1 },
  "openai/gpt-4.1-nano": { input: 0.1, output: 0.4, cachedInput: 0.025 },
  "openai/gpt-4o": { input: 2.5, output: 10, cachedInput: 1.25 },
  "openai/gpt-4o-mini": { input: 0.15, output: 0.6, cachedInput: 0.075 },
  "openai/o3": { input: 2, output: 8, cachedInput: 0.5 },
  "openai/o4-mini": { input: 1.1, output: 4.4, cachedInput: 0.275 },
  "groq/llama-3.3-70b-versatile": { input: 0.59, output: 0.79 },
  "groq/llama-3.1-8b-instant": { input: 0.05, output: 0.08 },
  "together/meta-llama/Llama-3.3-70B-Instruct-Turbo": { input: 0.88, output: 0.88 },
  "mistral/mistral-large-latest": { input: 2, output: 6 },
  "mistral/mistral-small-latest": { input: 0.1, output: 0.3 },
  "deepseek/deepseek-chat": { input: 0.27, output: 1.1, cachedInput: 0.07 },
  "deepseek/deepseek-reasoner": { input: 0.55, output: 2.19, cachedInput: 0.14 },
  "xai/grok-3": { input: 3, output: 15, cachedInput: 0.75 },
  "xai/grok-3-mini": { input: 0.3, output: 0.5, cachedInput: 0.075 },
  "fireworks/accounts/fireworks/models/llama-v3p3-70b-instruct": { input: 0.9, output: 0.9 },
  "perplexity/sonar": { input: 1, output: 1 },
  "perplexity/sonar-pro": { input: 3, output: 15 },
  ...CLAUDE_PRICES,
  // Google: prompts up to 200k tokens (the Pro models charge more above that, which a flat price cannot say).
  "google/gemini-3-pro-preview": { input: 2, output: 12, cachedInput: 0.2 },
  "google/gemini-3-flash-preview": { input: 0.5, output: 3, cachedInput: 0.05 },
  "google/gemini-2.5-pro": { input: 1.25, output: 10, cachedInput: 0.125 },
  "google/gemini-2.5-flash": { input: 0.3, output: 2.5, cachedInput: 0.03 },
  "google/gemini-2.5-flash-lite": { input: 0.1, output: 0.4, cachedInput: 0.01 },
  "google/gemini-2.0-flash": { input: 0.1, output: 0.4, cachedInput: 0.025 },
  "google/gemini-2.0-flash-lite": { input: 0.075, output: 0.3 },
  ...EMBEDDING_PRICES,
  ...dottedClaudeAliases(),
};

/**
 * Claude ids spell versions with dashes (`claude-sonnet-4-5`); clients often write dots
 * (`anthropic/claude-sonnet-4.5`, as in OpenRouter's catalog). The Anthropic adapter accepts both,
 * so both are priced.
 */
function dottedClaudeAliases(): Record<string, ModelPrice> {
  const aliases: Record<string, ModelPrice> = {};
  for (const [model, price] of Object.entries(CLAUDE_PRICES)) {
    aliases[model.replace(/-(\d)-(\d)$/, "-$1.$2")] = price;
  }
  return aliases;
}

export interface TokenCounts {
  promptTokens: number;
  completionTokens: number;
  /** Prompt tokens read from a cache (part of promptTokens). */
  cachedTokens: number;
  /** Prompt tokens written to a cache (part of promptTokens; Anthropic's cache_creation_input_tokens). */
  cacheWriteTokens?: number;
}

/**
 * Cost in USD. Each class of prompt token is billed at its own rate: cache reads at `cachedInput`,
 * cache writes at `cacheWrite`, the rest at `input`; completion tokens (reasoning included) at `output`.
 */
export function computeCost(price: ModelPrice, usage: TokenCounts): number {
  const cached = Math.min(usage.cachedTokens, usage.promptTokens);
  const written = Math.min(usage.cacheWriteTokens ?? 0, usage.promptTokens - cached);
  const uncached = usage.promptTokens - cached - written;
  const micro =
    uncached * price.input +
    cached * (price.cachedInput ?? price.input) +
    written * (price.cacheWrite ?? price.input) +
    usage.completionTokens * price.output;
  // Round to 1e-10 USD so sums stay stable and JSON stays short.
  return Math.round(micro * 1e4) / 1e10;
}
