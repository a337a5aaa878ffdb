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
import { geminiStatusError } from "./errors.js";
import { geminiModelTraits } from "./messages.js";
import { RemoteImageFetcher } from "./remote-image.js";
import { buildGeminiBody } from "./request.js";
import { fromGeminiResponse, promptBlocked } from "./response.js";
import { GeminiStreamTranslator, translateGeminiStream } from "./stream.js";

/** `google/<model>` over the Gemini API (generateContent / streamGenerateContent?alt=sse), translated. */
export class GeminiAdapter implements ProviderAdapter {
  constructor(
    private readonly http: UpstreamHttp,
    private readonly images = new RemoteImageFetcher(),
  ) {}

  async complete(call: UpstreamCall): Promise<ChatCompletion> {
    const response = await postForJson(this.http, call, await this.prepare(call, false));
    if (!Array.isArray(response.candidates) && !promptBlocked(response)) {
      throw new GatewayError(
        "upstream_error",
        `${call.provider.name} returned a response without candidates.`,
        {
          status: 502,
          providerError: response,
        },
      );
    }
    return fromGeminiResponse(response, call.upstreamModel);
  }

  async stream(call: UpstreamCall): Promise<ChunkStream> {
    const res = await postChecked(this.http, call, await this.prepare(call, true));
    const translator = new GeminiStreamTranslator(call.upstreamModel, call.provider.name);
    return eventStream(res, call, (events) =>
      translateGeminiStream(events, translator, (event) => parseEventData(event, call)),
    );
  }

  private async prepare(call: UpstreamCall, stream: boolean): Promise<VendorRequest> {
    const { provider } = call;
    // The SDK prefixes bare ids with `models/`; accept either spelling from the client.
    const model = call.upstreamModel.replace(/^models\//, "");
    const body = await buildGeminiBody(call.request, geminiModelTraits(model), {
      fetcher: this.images,
      policy: provider.remoteImages ?? "public",
      allow: provider.remoteImageAllow ?? [],
      signal: call.signal.abortSignal,
      baseUrl: provider.baseUrl,
    });
    const method = stream ? "streamGenerateContent?alt=sse" : "generateContent";
    const headers: Record<string, string> = {
      "content-type": "application/json",
      accept: stream ? "text/event-stream" : "application/json",
      "x-request-id": call.requestId,
      ...provider.headers,
    };
    if (provider.apiKey) headers["x-goog-api-key"] = provider.apiKey;
    return {
      url: `${provider.baseUrl}/v1beta/models/${encodeURIComponent(model)}:${method}`,
      headers,
      body: JSON.stringify(body),
      mapStatus: (status, resHeaders, text) => geminiStatusError(provider, status, resHeaders, text),
    };
  }
}
