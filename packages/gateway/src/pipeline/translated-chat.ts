import type { Logger } from "pino";
import { GatewayError } from "../errors/catalog.js";
import type { EventStreamWriter } from "../http/event-stream.js";
import type { ChatCompletion, ChatCompletionChunk, Usage } from "../providers/openai-types.js";
import type { AdapterRegistry } from "../providers/registry.js";
import type { ChunkStream, ProviderAdapter, UpstreamCall } from "../providers/types.js";
import { isAbort } from "../providers/upstream-http.js";
import type { Accounting } from "./accounting.js";
import type { ChatRequest } from "./chat-request.js";
import type { GovernedExchange } from "./governed.js";
import type { RouteTarget } from "./resolve-route.js";
import { relayStream } from "./stream-relay.js";
import { completionText, estimateUsage, priceUsage } from "./usage-math.js";

/**
 * The upstream step of the inbound formats that are translated onto chat completions (`/v1/messages`,
 * `/v1/responses`): the request is a ChatRequest by now, any provider's chat adapter serves it, and
 * usage and cost are worked out exactly as on `/v1/chat/completions`.
 */
export interface TranslatedDeps {
  adapters: AdapterRegistry;
  log: Logger;
}

/** What a translated stream writes: the events of each chat chunk, an in-band error, the end. */
export interface StreamTranslation {
  events(chunk: ChatCompletionChunk): { event: string; data: unknown }[];
  error(failure: GatewayError, requestId: string): { event: string; data: unknown };
}

/** The one place these pipelines call a provider; routing (fallbacks, retries) plugs in here. */
function upstream<T>(
  deps: TranslatedDeps,
  ex: GovernedExchange,
  target: RouteTarget,
  request: ChatRequest,
  attempt: (adapter: ProviderAdapter, call: UpstreamCall) => Promise<T>,
): Promise<T> {
  const adapter = deps.adapters[target.provider.format];
  if (!adapter) {
    throw new GatewayError(
      "model_not_found",
      `Provider "${target.provider.name}" has no adapter for its format.`,
    );
  }
  return attempt(adapter, {
    provider: target.provider,
    upstreamModel: target.upstreamModel,
    request,
    signal: ex.signal,
    requestId: ex.requestId,
  });
}

/** A non-streaming answer with its usage (the upstream's, else estimated) priced and accounted. */
export async function completeTranslated(
  deps: TranslatedDeps,
  ex: GovernedExchange,
  acct: Accounting,
  target: RouteTarget,
  request: ChatRequest,
): Promise<{ completion: ChatCompletion; usage: Usage }> {
  const completion = await upstream(deps, ex, target, request, (adapter, call) => adapter.complete(call));
  completion.model = target.publicModel;
  const usage = completion.usage ?? (await estimateUsage(request, completionText(completion)));
  acct.succeed(priceUsage(usage, target.price));
  return { completion, usage };
}

/**
 * Streams an answer as the inbound format's events. The chat relay does the accounting work (usage
 * tail, estimate, cost), asked for `include_usage` so its last chunk carries the usage; a failure
 * after the stream opened is the format's in-band error event.
 */
export async function streamTranslated(
  deps: TranslatedDeps,
  ex: GovernedExchange & { events: () => EventStreamWriter },
  acct: Accounting,
  target: RouteTarget,
  request: ChatRequest,
  translation: StreamTranslation,
): Promise<{ kind: "streamed" }> {
  const chat: ChatRequest = { ...request, stream: true, stream_options: { include_usage: true } };
  const chunks: ChunkStream = await upstream(deps, ex, target, chat, (adapter, call) => adapter.stream(call));
  const out = ex.events();
  out.open();
  try {
    const summary = await relayStream(
      chunks,
      {
        send(json) {
          for (const e of translation.events(JSON.parse(json) as ChatCompletionChunk))
            out.send(e.event, e.data);
        },
        drained: () => out.drained(),
      },
      {
        request: chat,
        publicModel: target.publicModel,
        price: target.price,
        onFirstChunk: () => acct.firstToken(),
      },
    );
    out.end();
    acct.succeed(summary);
  } catch (err) {
    chunks.cancel();
    if (ex.signal.aborted || isAbort(err)) throw err;
    const failure =
      err instanceof GatewayError
        ? err
        : new GatewayError("internal_error", "The stream failed.", { cause: err });
    if (!(err instanceof GatewayError))
      deps.log.error({ err, requestId: ex.requestId }, "stream relay failed");
    const e = translation.error(failure, ex.requestId);
    out.send(e.event, e.data);
    out.end();
    acct.end(200, failure.code);
  }
  return { kind: "streamed" };
}
