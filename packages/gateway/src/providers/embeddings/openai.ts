import { GatewayError } from "../../errors/catalog.js";
import { postForJson } from "../upstream-calls.js";
import type { UpstreamHttp } from "../upstream-http.js";
import { upstreamStatusError } from "../upstream-status.js";
import type { Embedder, EmbeddingCall, EmbeddingsResponse } from "./types.js";

/** `POST {base}/embeddings` on OpenAI and every OpenAI-compatible vendor: the body passes through. */
export class OpenAIEmbedder implements Embedder {
  constructor(private readonly http: UpstreamHttp) {}

  async embed(call: EmbeddingCall): Promise<EmbeddingsResponse> {
    const { provider } = call;
    const { session_id: _session, model: _model, ...fields } = call.request;
    const headers: Record<string, string> = {
      "content-type": "application/json",
      accept: "application/json",
      "x-request-id": call.requestId,
      ...provider.headers,
    };
    if (provider.apiKey) headers.authorization = `Bearer ${provider.apiKey}`;
    const answer = await postForJson(this.http, call, {
      url: `${provider.baseUrl}/embeddings`,
      headers,
      body: JSON.stringify({ ...fields, model: call.upstreamModel }),
      mapStatus: (status, h, text) => upstreamStatusError(provider, status, h, text),
    });
    if (!Array.isArray(answer.data)) {
      throw new GatewayError(
        "upstream_error",
        `${provider.name} returned a response that is not an embeddings list.`,
        {
          status: 502,
          providerError: answer,
        },
      );
    }
    return answer as unknown as EmbeddingsResponse;
  }
}
