import { GatewayError } from "../../errors/catalog.js";
import { inputList } from "../../pipeline/embeddings-request.js";
import { unsupported } from "../../pipeline/validate-body.js";
import { geminiStatusError } from "../gemini/errors.js";
import { postForJson } from "../upstream-calls.js";
import type { UpstreamHttp } from "../upstream-http.js";
import type { Embedder, EmbeddingCall, EmbeddingsResponse } from "./types.js";

type Obj = Record<string, unknown>;

/**
 * Gemini's embeddings, translated: one input goes to `:embedContent`, several to
 * `:batchEmbedContents`; `dimensions` becomes `outputDimensionality`. Gemini takes text only and
 * reports no usage (the pipeline counts the tokens), and always answers floats, so `base64` is
 * encoded here the way OpenAI encodes it (little-endian float32).
 */
export class GeminiEmbedder implements Embedder {
  constructor(private readonly http: UpstreamHttp) {}

  async embed(call: EmbeddingCall): Promise<EmbeddingsResponse> {
    const { provider, request } = call;
    const texts = inputList(request.input).map((input) => {
      if (typeof input !== "string") {
        throw unsupported("input", "Gemini embeds text only: send strings, not token ids.");
      }
      return input;
    });
    const model = call.upstreamModel.replace(/^models\//, "");
    const one = (text: string): Obj => {
      const req: Obj = { model: `models/${model}`, content: { parts: [{ text }] } };
      if (request.dimensions !== undefined) req.outputDimensionality = request.dimensions;
      return req;
    };
    const single = texts.length === 1;
    const headers: Record<string, string> = {
      "content-type": "application/json",
      accept: "application/json",
      "x-request-id": call.requestId,
      ...provider.headers,
    };
    if (provider.apiKey) headers["x-goog-api-key"] = provider.apiKey;
    const answer = await postForJson(this.http, call, {
      url: `${provider.baseUrl}/v1beta/models/${encodeURIComponent(model)}:${single ? "embedContent" : "batchEmbedContents"}`,
      headers,
      body: JSON.stringify(single ? one(texts[0] as string) : { requests: texts.map(one) }),
      mapStatus: (status, h, text) => geminiStatusError(provider, status, h, text),
    });
    const vectors = single
      ? [(answer.embedding as Obj | undefined)?.values]
      : (answer.embeddings as Obj[] | undefined)?.map((e) => e?.values);
    if (!Array.isArray(vectors) || vectors.length !== texts.length || !vectors.every(isVector)) {
      throw new GatewayError(
        "upstream_error",
        `${provider.name} returned embeddings the gateway cannot read.`,
        {
          status: 502,
          providerError: answer,
        },
      );
    }
    const base64 = request.encoding_format === "base64";
    return {
      object: "list",
      data: vectors.map((values, index) => ({
        object: "embedding",
        index,
        embedding: base64 ? Buffer.from(new Float32Array(values).buffer).toString("base64") : values,
      })),
      model: call.upstreamModel,
    };
  }
}

function isVector(v: unknown): v is number[] {
  return Array.isArray(v) && v.every((x) => typeof x === "number");
}
