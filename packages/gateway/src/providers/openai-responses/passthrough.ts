import { GatewayError } from "../../errors/catalog.js";
import type { Usage } from "../openai-types.js";

import type { UpstreamCall } from "../types.js";
import { postForEvents, postForJson, type RawEventStream, type VendorRequest } from "../upstream-calls.js";
import type { UpstreamHttp } from "../upstream-http.js";
import { upstreamStatusError } from "../upstream-status.js";

type Obj = Record<string, unknown>;

/** One `/v1/responses` call passed through to OpenAI: the client's body with the upstream model. */
export interface ResponsesPassThroughCall
  extends Pick<UpstreamCall, "provider" | "upstreamModel" | "signal" | "requestId"> {
  /** The client's validated body; MeshAPI's `session_id` is dropped, `model` replaced. */
  body: Obj;
}

/** A Responses usage object as chat usage, for pricing and accounting. */
export function chatUsageOfResponse(usage: unknown): Usage {
  const u = (usage ?? {}) as Obj;
  const n = (v: unknown) => (typeof v === "number" && v > 0 ? v : 0);
  const prompt = n(u.input_tokens);
  const completion = n(u.output_tokens);
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: n((u.input_tokens_details as Obj | undefined)?.cached_tokens) },
    completion_tokens_details: {
      reasoning_tokens: n((u.output_tokens_details as Obj | undefined)?.reasoning_tokens),
    },
  };
}

/**
 * OpenAI's Responses API without translation, for `/v1/responses` requests to `openai/*` models:
 * stored state, built-in tools and reasoning reach OpenAI as the client sent them.
 */
export class OpenAIResponsesPassThrough {
  constructor(private readonly http: UpstreamHttp) {}

  async complete(call: ResponsesPassThroughCall): Promise<Obj> {
    const response = await postForJson(this.http, call, this.prepare(call, false));
    if (response.object !== "response") {
      throw new GatewayError(
        "upstream_error",
        `${call.provider.name} returned something that is not a response.`,
        {
          status: 502,
          providerError: response,
        },
      );
    }
    return response;
  }

  async stream(call: ResponsesPassThroughCall): Promise<RawEventStream> {
    return postForEvents(this.http, call, this.prepare(call, true));
  }

  private prepare(call: ResponsesPassThroughCall, stream: boolean): VendorRequest {
    const { provider } = call;
    const { session_id: _session, ...fields } = call.body;
    const headers: Record<string, string> = {
      "content-type": "application/json",
      accept: stream ? "text/event-stream" : "application/json",
      "x-request-id": call.requestId,
      ...provider.headers,
    };
    if (provider.apiKey) headers.authorization = `Bearer ${provider.apiKey}`;
    return {
      url: `${provider.baseUrl}/responses`,
      headers,
      body: JSON.stringify({ ...fields, model: call.upstreamModel, stream }),
      mapStatus: (status, h, text) => upstreamStatusError(provider, status, h, text),
    };
  }
}
