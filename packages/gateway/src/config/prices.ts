/** USD per one million tokens. `cachedInput` defaults to `input` when a vendor has no cache discount. */
export interface ModelPrice {
  input: number;
  output: number;
  cachedInput?: number;
}

export type PriceCatalog = ReadonlyMap<string, ModelPrice>;

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
};

export interface TokenCounts {
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
}

/** Cost in USD; cached prompt tokens are billed at the cached rate, the rest at the input rate. */
export function computeCost(price: ModelPrice, usage: TokenCounts): number {
  const cached = Math.min(usage.cachedTokens, usage.promptTokens);
  const uncached = usage.promptTokens - cached;
  const micro =
    uncached * price.input +
    cached * (price.cachedInput ?? price.input) +
    usage.completionTokens * price.output;
  // Round to 1e-10 USD so sums stay stable and JSON stays short.
  return Math.round(micro * 1e4) / 1e10;
}
