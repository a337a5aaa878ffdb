import type { ProviderConfig } from "../../config/config.js";
import type { EmbeddingsRequest } from "../../pipeline/embeddings-request.js";
import type { Cancellation } from "../cancellation.js";

/** Everything an embedder needs for one upstream call. */
export interface EmbeddingCall {
  provider: ProviderConfig;
  upstreamModel: string;
  /** The validated request; MeshAPI's own fields are dropped by the embedder. */
  request: EmbeddingsRequest;
  signal: Cancellation;
  requestId: string;
}

/** OpenAI's embeddings response, which every embedder answers with. */
export interface EmbeddingsResponse {
  object: "list";
  data: { object: "embedding"; index: number; embedding: number[] | string }[];
  model: string;
  /** Absent when the vendor reports none (Gemini); the pipeline then counts the tokens itself. */
  usage?: {
    prompt_tokens: number;
    total_tokens: number;
    cost?: number;
    estimated?: boolean;
    [k: string]: unknown;
  };
  [k: string]: unknown;
}

/** One embedder per wire format that has an embeddings API; throws GatewayError on failure. */
export interface Embedder {
  embed(call: EmbeddingCall): Promise<EmbeddingsResponse>;
}
