import { GatewayError } from "../errors/catalog.js";
import { buildOpenAIBody } from "./openai-body.js";
import type { ChatCompletion, ChatCompletionChunk } from "./openai-types.js";
import { sseEvents } from "./sse-events.js";
import type { ChunkStream, ProviderAdapter, UpstreamCall } from "./types.js";
import { toGatewayError, type UpstreamHttp, type UpstreamResponse } from "./upstream-http.js";
import { upstreamStatusError, vendorMessage } from "./upstream-status.js";

/** Pass-through adapter for OpenAI and every OpenAI-compatible vendor. */
export class OpenAICompatibleAdapter implements ProviderAdapter {
  constructor(private readonly http: UpstreamHttp) {}

  async complete(call: UpstreamCall): Promise<ChatCompletion> {
    const res = await this.send(call, false);
    let text: string;
    try {
      text = await res.body.text();
    } catch (err) {
      throw toGatewayError(err, call.provider);
    }
    try {
      const completion = JSON.parse(text) as ChatCompletion;
      if (!Array.isArray(completion?.choices)) throw new Error("no choices");
      return completion;
    } catch {
      throw new GatewayError(
        "upstream_error",
        `${call.provider.name} returned a response that is not a chat completion.`,
        {
          status: 502,
          providerError: text.slice(0, 2048),
        },
      );
    }
  }

  async stream(call: UpstreamCall): Promise<ChunkStream> {
    const res = await this.send(call, true);
    const contentType = String(res.headers["content-type"] ?? "");
    if (!contentType.includes("text/event-stream")) {
      // Some vendors answer a stream request with a JSON error and a 200; never relay that as a stream.
      const text = await res.body.text().catch(() => "");
      throw new GatewayError("upstream_error", `${call.provider.name} did not answer with an event stream.`, {
        status: 502,
        providerError: text.slice(0, 2048),
      });
    }
    return {
      [Symbol.asyncIterator]: () => chunksOf(res, call),
      cancel: () => res.body.destroy(),
    };
  }

  private async send(call: UpstreamCall, stream: boolean): Promise<UpstreamResponse> {
    const { provider } = call;
    const body = buildOpenAIBody({ ...call.request, stream }, call.upstreamModel, provider.quirks);
    const headers: Record<string, string> = {
      "content-type": "application/json",
      accept: stream ? "text/event-stream" : "application/json",
      "x-request-id": call.requestId,
      ...provider.headers,
    };
    if (provider.apiKey) headers.authorization = `Bearer ${provider.apiKey}`;
    const res = await this.http.post(
      provider,
      `${provider.baseUrl}/chat/completions`,
      headers,
      JSON.stringify(body),
      call.signal,
    );
    if (res.statusCode >= 400) {
      const text = await res.body.text().catch(() => "");
      throw upstreamStatusError(provider, res.statusCode, res.headers, text);
    }
    return res;
  }
}

async function* chunksOf(res: UpstreamResponse, call: UpstreamCall): AsyncGenerator<ChatCompletionChunk> {
  let clean = false;
  try {
    for await (const event of sseEvents(res.body)) {
      if (event.data === "[DONE]") {
        clean = true;
        return;
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(event.data);
      } catch {
        throw new GatewayError("upstream_error", `${call.provider.name} sent a malformed stream event.`, {
          providerError: event.data.slice(0, 512),
        });
      }
      const chunk = parsed as ChatCompletionChunk & { error?: unknown };
      if (chunk.error !== undefined && chunk.error !== null) {
        // Errors after the 200 arrive as a data event with a top-level `error` (OpenAI, OpenRouter).
        throw new GatewayError(
          "upstream_error",
          `${call.provider.name} failed mid-stream: ${vendorMessage(chunk) ?? "unknown error"}`,
          { providerError: chunk.error },
        );
      }
      yield chunk;
    }
  } catch (err) {
    throw toGatewayError(err, call.provider);
  } finally {
    // After [DONE], drain what is left so the keep-alive connection can be reused; otherwise tear it down.
    if (clean) await res.body.dump({ limit: 64 * 1024 }).catch(() => {});
    else if (!res.body.destroyed) res.body.destroy();
  }
}
