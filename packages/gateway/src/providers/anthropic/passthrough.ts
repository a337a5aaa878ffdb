import { GatewayError } from "../../errors/catalog.js";
import type { Usage } from "../openai-types.js";

import type { UpstreamCall } from "../types.js";
import { postForEvents, postForJson, type RawEventStream, type VendorRequest } from "../upstream-calls.js";
import type { UpstreamHttp } from "../upstream-http.js";
import { ANTHROPIC_VERSION } from "./adapter.js";
import { anthropicStatusError } from "./errors.js";
import { claudeWireId } from "./models.js";

type Obj = Record<string, unknown>;

/** One `/v1/messages` call passed through to Anthropic: the client's body, with its model and headers. */
export interface PassThroughCall
  extends Pick<UpstreamCall, "provider" | "upstreamModel" | "signal" | "requestId"> {
  /** The client's validated body; MeshAPI's `session_id` is dropped, `model` replaced. */
  body: Obj;
  /** The client's `anthropic-version` and `anthropic-beta`, forwarded when present. */
  version: string | undefined;
  beta: string | undefined;
}

/** An Anthropic usage object as chat usage: prompt tokens include cache reads and writes, priced apart. */
export function chatUsageOf(usage: unknown): Usage {
  const u = (usage ?? {}) as Obj;
  const n = (v: unknown) => (typeof v === "number" && v > 0 ? v : 0);
  const read = n(u.cache_read_input_tokens);
  const written = n(u.cache_creation_input_tokens);
  const prompt = n(u.input_tokens) + read + written;
  const completion = n(u.output_tokens);
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: read, cache_write_tokens: written },
  };
}

/**
 * Anthropic's Messages API without translation, for `/v1/messages` requests to `anthropic/*` models:
 * everything the client sent (thinking, documents, server tools, cache_control…) reaches Anthropic as
 * is. Only usage is read, to price and account the request.
 */
export class AnthropicPassThrough {
  constructor(private readonly http: UpstreamHttp) {}

  /** The message, as Anthropic answered it. */
  async complete(call: PassThroughCall): Promise<Obj> {
    const message = await postForJson(this.http, call, this.prepare(call, false));
    if (message.type !== "message") {
      throw new GatewayError(
        "upstream_error",
        `${call.provider.name} returned a response that is not a message.`,
        {
          status: 502,
          providerError: message,
        },
      );
    }
    return message;
  }

  /** Anthropic's events, once it answered 2xx; `cancel` releases the connection early. */
  async stream(call: PassThroughCall): Promise<RawEventStream> {
    return postForEvents(this.http, call, this.prepare(call, true));
  }

  private prepare(call: PassThroughCall, stream: boolean): VendorRequest {
    const { provider } = call;
    const { session_id: _session, ...fields } = call.body;
    const headers: Record<string, string> = {
      "content-type": "application/json",
      accept: stream ? "text/event-stream" : "application/json",
      "anthropic-version": call.version ?? ANTHROPIC_VERSION,
      "x-request-id": call.requestId,
      ...provider.headers,
    };
    if (call.beta) headers["anthropic-beta"] = call.beta;
    if (provider.apiKey) headers["x-api-key"] = provider.apiKey;
    return {
      url: `${provider.baseUrl}/v1/messages`,
      headers,
      body: JSON.stringify({ ...fields, model: claudeWireId(call.upstreamModel), stream }),
      mapStatus: (status, h, text) => anthropicStatusError(provider, status, h, text),
    };
  }
}
