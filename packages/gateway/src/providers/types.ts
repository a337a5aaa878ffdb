import type { ProviderConfig } from "../config/config.js";
import type { ChatRequest } from "../pipeline/chat-request.js";
import type { Cancellation } from "./cancellation.js";
import type { ChatCompletion, ChatCompletionChunk } from "./openai-types.js";

/** Everything an adapter needs for one upstream call. */
export interface UpstreamCall {
  provider: ProviderConfig;
  /** The model id as the vendor knows it (the part after `provider/`). */
  upstreamModel: string;
  /** The validated request with MeshAPI's extensions already removed. */
  request: ChatRequest;
  /** Fires when the client goes away. */
  signal: Cancellation;
  requestId: string;
}

/**
 * OpenAI-format chunks exactly as an OpenAI-compatible vendor sent them: the JSON text of each, all
 * that one upstream read completed. The relay rewrites them as text and parses only the few it must
 * (pipeline/raw-chunk.ts), so a pass-through stream costs no JSON work per chunk.
 */
export class RawChunks {
  constructor(readonly texts: readonly string[]) {}
}

/** What an upstream stream yields: parsed chunks (translated vendors) or raw ones (pass-through). */
export type StreamPiece = ChatCompletionChunk | RawChunks;

/** An upstream stream that has answered 2xx; iterating yields OpenAI-format chunks, parsed or raw. */
export interface ChunkStream extends AsyncIterable<StreamPiece> {
  /** Releases the upstream connection early (client went away, or the gateway stops reading). */
  cancel(): void;
}

/**
 * One adapter per wire format. Both methods throw `GatewayError` for failures before the response
 * started (so the pipeline can fall back or answer with a status); `stream` resolves once the upstream
 * answered, and its iterator throws `GatewayError` for failures mid-stream.
 */
export interface ProviderAdapter {
  complete(call: UpstreamCall): Promise<ChatCompletion>;
  stream(call: UpstreamCall): Promise<ChunkStream>;
}
