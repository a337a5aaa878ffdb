import { Chat } from "../resources/chat/chat.js";
import { Embeddings } from "../resources/embeddings.js";
import { Models } from "../resources/models.js";
import { type ClientOptions, type ResolvedConfig, resolveConfig } from "./config.js";

/**
 * The MeshAPI client.
 *
 * @example
 * import { MeshAPI } from "meshapi-node-sdk";
 *
 * const client = new MeshAPI({ baseUrl: "https://api.yourdomain.com", token: "rsk_…" });
 * const completion = await client.chat.completions.create({
 *   model: "openai/gpt-4o-mini",
 *   messages: [{ role: "user", content: "Hello!" }],
 * });
 */
export class MeshAPI {
  readonly chat: Chat;
  readonly embeddings: Embeddings;
  readonly models: Models;
  /** The gateway origin in use, without a trailing slash. */
  readonly baseUrl: string;
  readonly timeoutMs: number;
  readonly maxRetries: number;

  constructor(options: ClientOptions = {}) {
    const config: ResolvedConfig = resolveConfig(options);
    this.baseUrl = config.baseUrl;
    this.timeoutMs = config.timeoutMs;
    this.maxRetries = config.maxRetries;
    this.chat = new Chat(config);
    this.embeddings = new Embeddings(config);
    this.models = new Models(config);
  }
}
