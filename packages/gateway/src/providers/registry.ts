import type { WireFormat } from "../config/config.js";
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
