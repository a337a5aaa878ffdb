import type { WireFormat } from "../config/config.js";
import { GatewayError } from "../errors/catalog.js";
import { AnthropicAdapter } from "./anthropic/adapter.js";
import { GeminiAdapter } from "./gemini/adapter.js";
import { OpenAICompatibleAdapter } from "./openai-compatible.js";
import type { ProviderAdapter } from "./types.js";
import type { UpstreamHttp } from "./upstream-http.js";

/** One adapter instance per wire format, sharing the upstream connection pools. */
export type AdapterRegistry = Readonly<Partial<Record<WireFormat, ProviderAdapter>>>;

export function createAdapters(http: UpstreamHttp): AdapterRegistry {
  return {
    openai: new OpenAICompatibleAdapter(http),
    anthropic: new AnthropicAdapter(http),
    gemini: new GeminiAdapter(http),
  };
}

/** The adapter of a provider's wire format; 404 model_not_found when none serves it. */
export function adapterFor(
  adapters: AdapterRegistry,
  provider: { name: string; format: WireFormat },
): ProviderAdapter {
  const adapter = adapters[provider.format];
  if (!adapter) {
    throw new GatewayError("model_not_found", `Provider "${provider.name}" has no adapter for its format.`);
  }
  return adapter;
}
