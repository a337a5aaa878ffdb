import type { WireFormat } from "../config/config.js";
import { OpenAICompatibleAdapter } from "./openai-compatible.js";
import type { ProviderAdapter } from "./types.js";
import type { UpstreamHttp } from "./upstream-http.js";

/** One adapter instance per wire format, sharing the upstream connection pools. */
export type AdapterRegistry = Readonly<Partial<Record<WireFormat, ProviderAdapter>>>;

export function createAdapters(http: UpstreamHttp): AdapterRegistry {
  return { openai: new OpenAICompatibleAdapter(http) };
}
