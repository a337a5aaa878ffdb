import type { WireFormat } from "../../config/config.js";
import type { UpstreamHttp } from "../upstream-http.js";
import { GeminiEmbedder } from "./gemini.js";
import { OpenAIEmbedder } from "./openai.js";
import type { Embedder } from "./types.js";

/** One embedder per wire format that has an embeddings API (Anthropic has none). */
export type EmbedderRegistry = Readonly<Partial<Record<WireFormat, Embedder>>>;

export function createEmbedders(http: UpstreamHttp): EmbedderRegistry {
  return { openai: new OpenAIEmbedder(http), gemini: new GeminiEmbedder(http) };
}
