export { MeshAPI } from "./core/client.js";
export type { ClientOptions, Fetch, HeadersInput, RequestOptions } from "./core/config.js";
export type {
  ClientErrorCode,
  ErrorCode,
  ErrorDetail,
  GatewayErrorCode,
  MeshAPIApiErrorInit,
} from "./core/errors.js";
export { MeshAPIAbortError, MeshAPIApiError } from "./core/errors.js";
export { type ServerSentEvent, SSEDecoder, type SSEDecoderOptions } from "./core/sse.js";
export { type AwaitableStream, Stream } from "./core/streaming.js";
export { ChatCompletionAccumulator } from "./lib/chat-accumulator.js";
export type * from "./resources/chat/types.js";
export type {
  CreateEmbeddingResponse,
  Embedding,
  EmbeddingCreateParams,
  EmbeddingUsage,
} from "./resources/embeddings.js";
export type { Model, ModelList } from "./resources/models.js";
export { VERSION } from "./version.js";
