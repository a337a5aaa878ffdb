import { GatewayError } from "../../errors/catalog.js";
import type { ChatCompletion } from "../openai-types.js";
import type { ChunkStream, ProviderAdapter, UpstreamCall } from "../types.js";
import {
  eventStream,
  parseEventData,
  postChecked,
  postForJson,
  type VendorRequest,
} from "../upstream-calls.js";
import type { UpstreamHttp } from "../upstream-http.js";
import { anthropicStatusError } from "./errors.js";
import { claudeModel } from "./models.js";
import { buildAnthropicBody } from "./request.js";
import { fromAnthropicMessage } from "./response.js";
import { AnthropicStreamTranslator, translateAnthropicStream } from "./stream.js";

/** The API version the official SDKs send and the docs describe (reference §2). */
export const ANTHROPIC_VERSION = "2023-06-01";

/** `anthropic/<model>` over the Messages API, translated to and from OpenAI's format. */
export class AnthropicAdapter implements ProviderAdapter {
  constructor(private readonly http: UpstreamHttp) {}

  async complete(call: UpstreamCall): Promise<ChatCompletion> {
    const message = await postForJson(this.http, call, this.prepare(call, false));
    if (message.type !== "message" || !Array.isArray(message.content)) {
      throw new GatewayError(
        "upstream_error",
        `${call.provider.name} returned a response that is not a message.`,
        {
          status: 502,
          providerError: message,
        },
      );
    }
    return fromAnthropicMessage(message, call.upstreamModel);
  }

  async stream(call: UpstreamCall): Promise<ChunkStream> {
    const res = await postChecked(this.http, call, this.prepare(call, true));
    const translator = new AnthropicStreamTranslator(call.upstreamModel, call.provider.name);
    return eventStream(res, call, (events) =>
      translateAnthropicStream(events, translator, (event) => parseEventData(event, call)),
    );
  }

  private prepare(call: UpstreamCall, stream: boolean): VendorRequest {
    const { provider } = call;
    // Translation errors (422) are thrown here, before any connection is made.
    const body = buildAnthropicBody(call.request, claudeModel(call.upstreamModel), stream);
    const headers: Record<string, string> = {
      "content-type": "application/json",
      accept: stream ? "text/event-stream" : "application/json",
      "anthropic-version": ANTHROPIC_VERSION,
      "x-request-id": call.requestId,
      ...provider.headers,
    };
    if (provider.apiKey) headers["x-api-key"] = provider.apiKey;
    return {
      url: `${provider.baseUrl}/v1/messages`,
      headers,
      body: JSON.stringify(body),
      mapStatus: (status, resHeaders, text) => anthropicStatusError(provider, status, resHeaders, text),
    };
  }
}
