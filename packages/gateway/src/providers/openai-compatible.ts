import { GatewayError } from "../errors/catalog.js";
import { buildOpenAIBody } from "./openai-body.js";
import type { ChatCompletion } from "./openai-types.js";
import { SseFrameSplitter } from "./sse-frames.js";
import {
  type ChunkStream,
  type ProviderAdapter,
  RawChunks,
  type StreamPiece,
  type UpstreamCall,
} from "./types.js";
import {
  bodyStream,
  parseEventData,
  postChecked,
  postForJson,
  type VendorRequest,
} from "./upstream-calls.js";
import type { UpstreamHttp } from "./upstream-http.js";
import { upstreamStatusError, vendorMessage } from "./upstream-status.js";

/** Pass-through adapter for OpenAI and every OpenAI-compatible vendor. */
export class OpenAICompatibleAdapter implements ProviderAdapter {
  constructor(private readonly http: UpstreamHttp) {}

  async complete(call: UpstreamCall): Promise<ChatCompletion> {
    const completion = await postForJson(this.http, call, this.prepare(call, false));
    if (!Array.isArray(completion.choices)) {
      throw new GatewayError(
        "upstream_error",
        `${call.provider.name} returned a response that is not a chat completion.`,
        {
          status: 502,
          providerError: completion,
        },
      );
    }
    return completion as unknown as ChatCompletion;
  }

  async stream(call: UpstreamCall): Promise<ChunkStream> {
    const res = await postChecked(this.http, call, this.prepare(call, true));
    return bodyStream(res, call, (body) => passThrough(body, call));
  }

  private prepare(call: UpstreamCall, stream: boolean): VendorRequest {
    const { provider } = call;
    const request = (call.request.stream === true) === stream ? call.request : { ...call.request, stream };
    const body = buildOpenAIBody(request, call.upstreamModel, provider.quirks);
    const headers: Record<string, string> = {
      "content-type": "application/json",
      accept: stream ? "text/event-stream" : "application/json",
      "x-request-id": call.requestId,
      ...provider.headers,
    };
    if (provider.apiKey) headers.authorization = `Bearer ${provider.apiKey}`;
    return {
      url: `${provider.baseUrl}/chat/completions`,
      headers,
      body: JSON.stringify(body),
      mapStatus: (status, h, text) => upstreamStatusError(provider, status, h, text),
    };
  }
}

/**
 * OpenAI-format events are already chunks: they are handed on as text, one batch per upstream read,
 * until `[DONE]`. Each is checked for an object's shape, and only one that may carry an in-band error
 * (a top-level `error`, as OpenAI and OpenRouter send after the 200) is parsed here.
 */
async function* passThrough(
  body: AsyncIterable<Uint8Array>,
  call: UpstreamCall,
): AsyncGenerator<StreamPiece> {
  const splitter = new SseFrameSplitter(call.provider.maxEventBytes);
  for await (const bytes of body) {
    const texts = splitter.push(bytes);
    if (texts.length === 0) continue;
    if (yield* checked(texts, call)) return;
  }
  yield* checked(splitter.end(), call);
}

/**
 * Yields the good chunks of one read, cut at `[DONE]` (then returns true). A malformed or error event
 * fails the stream, but only after the chunks before it: they are the client's, and once one is out
 * the failure is an in-band frame rather than a status.
 */
async function* checked(texts: string[], call: UpstreamCall): AsyncGenerator<StreamPiece, boolean> {
  for (let i = 0; i < texts.length; i++) {
    const text = texts[i] as string;
    if (text === "[DONE]") {
      if (i > 0) yield new RawChunks(texts.slice(0, i));
      return true;
    }
    // `{…}` without an `"error"` key is passed on unparsed; anything else is parsed.
    const shaped = text.charCodeAt(0) === 123 && text.charCodeAt(text.length - 1) === 125;
    if (shaped && !text.includes('"error"')) continue;
    let failure: unknown;
    try {
      const chunk = parseEventData({ event: undefined, data: text }, call);
      if (chunk.error !== undefined && chunk.error !== null) {
        failure = new GatewayError(
          "upstream_error",
          `${call.provider.name} failed mid-stream: ${vendorMessage(chunk) ?? "unknown error"}`,
          { providerError: chunk.error },
        );
      }
    } catch (err) {
      failure = err;
    }
    if (failure !== undefined) {
      if (i > 0) yield new RawChunks(texts.slice(0, i));
      throw failure;
    }
  }
  if (texts.length > 0) yield new RawChunks(texts);
  return false;
}
