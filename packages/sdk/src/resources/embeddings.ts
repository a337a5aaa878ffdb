import type { RequestOptions, ResolvedConfig } from "../core/config.js";
import { requestJSON } from "../core/transport.js";

export interface EmbeddingCreateParams {
  /** `provider/model`: an OpenAI-compatible embedding model (`openai/text-embedding-3-small`) or Gemini's (`google/gemini-embedding-001`). */
  model: string;
  /** One text, a list of texts, one list of token ids, or a list of those (token ids: OpenAI-compatible vendors only). */
  input: string | string[] | number[] | number[][];
  /** `float` (the default here) or `base64` (little-endian float32, as OpenAI encodes it). */
  encoding_format?: "float" | "base64";
  /** Shortens the vectors (models that support it; Gemini's `outputDimensionality`). */
  dimensions?: number;
  user?: string;
  /** MeshAPI: groups requests in usage reports. */
  session_id?: string;
}

export interface Embedding<V = number[]> {
  object: "embedding";
  /** Position of the input this vector belongs to. */
  index: number;
  embedding: V;
}

export interface EmbeddingUsage {
  prompt_tokens: number;
  total_tokens: number;
  /** MeshAPI: USD, when the gateway knows the model's price. */
  cost?: number;
  /** MeshAPI: true when the gateway counted the tokens because the vendor reported none (Gemini). */
  estimated?: boolean;
}

export interface CreateEmbeddingResponse<V = number[]> {
  object: "list";
  data: Embedding<V>[];
  /** The `provider/model` that answered. */
  model: string;
  usage: EmbeddingUsage;
}

/** `client.embeddings`: `POST /v1/embeddings`. */
export class Embeddings {
  constructor(private readonly config: ResolvedConfig) {}

  /**
   * Embeds one or more inputs. Vectors come back as numbers, or as base64 strings when you ask for
   * `encoding_format: "base64"`.
   *
   * @example
   * const { data, usage } = await client.embeddings.create({
   *   model: "openai/text-embedding-3-small",
   *   input: ["first text", "second text"],
   * });
   * console.log(data[0]?.embedding.length, usage.cost);
   */
  create(
    params: EmbeddingCreateParams & { encoding_format: "base64" },
    options?: RequestOptions,
  ): Promise<CreateEmbeddingResponse<string>>;
  create(
    params: EmbeddingCreateParams & { encoding_format?: "float" },
    options?: RequestOptions,
  ): Promise<CreateEmbeddingResponse>;
  create(
    params: EmbeddingCreateParams,
    options?: RequestOptions,
  ): Promise<CreateEmbeddingResponse<number[] | string>>;
  create(
    params: EmbeddingCreateParams,
    options?: RequestOptions,
  ): Promise<CreateEmbeddingResponse<number[] | string>> {
    return requestJSON<CreateEmbeddingResponse<number[] | string>>(this.config, {
      method: "POST",
      path: "/v1/embeddings",
      body: params,
      streaming: false,
      options,
    });
  }
}
