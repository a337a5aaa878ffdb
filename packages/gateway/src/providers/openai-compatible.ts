import { GatewayError } from "../errors/catalog.js";
import { buildOpenAIBody } from "./openai-body.js";
import type { ChatCompletion, ChatCompletionChunk } from "./openai-types.js";
import type { SseEvent } from "./sse-events.js";
import type { ChunkStream, ProviderAdapter, UpstreamCall } from "./types.js";
import {
  eventStream,
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
    return eventStream(res, call, (events) => passThrough(events, call));
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

/** OpenAI-format events are already chunks: parse them, stop at [DONE], surface in-band errors. */
async function* passThrough(
  events: AsyncIterable<SseEvent>,
  call: UpstreamCall,
): AsyncGenerator<ChatCompletionChunk> {
  for await (const event of events) {
    if (event.data === "[DONE]") return;
    const chunk = parseEventData(event, call);
    if (chunk.error !== undefined && chunk.error !== null) {
      // Errors after the 200 arrive as a data event with a top-level `error` (OpenAI, OpenRouter).
      throw new GatewayError(
        "upstream_error",
        `${call.provider.name} failed mid-stream: ${vendorMessage(chunk) ?? "unknown error"}`,
        { providerError: chunk.error },
      );
    }
    yield chunk as unknown as ChatCompletionChunk;
  }
}
