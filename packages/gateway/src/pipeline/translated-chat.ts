import type { Logger } from "pino";
import type { GatewayError } from "../errors/catalog.js";
import type { EventStreamWriter } from "../http/event-stream.js";
import type { ChatCompletion, ChatCompletionChunk, Usage } from "../providers/openai-types.js";
import { type AdapterRegistry, adapterFor } from "../providers/registry.js";
import type { ChunkStream, ProviderAdapter, UpstreamCall } from "../providers/types.js";
import { isAbort } from "../providers/upstream-http.js";
import type { ModelRoute } from "../routing/deployments.js";
import type { Accounting } from "./accounting.js";
import type { ChatRequest } from "./chat-request.js";
import type { GovernedExchange } from "./governed.js";
import { answered, callRouted, type RoutedDeps, routingHeaders } from "./routed-call.js";
import { midStreamFailure } from "./stream-failure.js";
import { relayStream } from "./stream-relay.js";
import { startStream } from "./stream-start.js";
import { StreamTranscript } from "./stream-transcript.js";
import { completionText, deliveredUsage, estimateUsage, priceUsage } from "./usage-math.js";

/**
 * The upstream step of the inbound formats that are translated onto chat completions (`/v1/messages`,
 * `/v1/responses`): the request is a ChatRequest by now, any provider's chat adapter serves it, and
 * usage and cost are worked out exactly as on `/v1/chat/completions`.
 */
export interface TranslatedDeps extends RoutedDeps {
  adapters: AdapterRegistry;
  log: Logger;
}

/** What a translated stream writes: the events of each chat chunk, an in-band error, the end. */
export interface StreamTranslation {
  events(chunk: ChatCompletionChunk): { event: string; data: unknown }[];
  error(failure: GatewayError, requestId: string): { event: string; data: unknown };
}

/** One adapter call per attempt, through the router: strategy, retries and cooldowns as on chat. */
function upstream<T>(
  deps: TranslatedDeps,
  ex: GovernedExchange,
  acct: Accounting,
  route: ModelRoute,
  request: ChatRequest,
  attempt: (adapter: ProviderAdapter, call: UpstreamCall) => Promise<T>,
): Promise<T> {
  return callRouted(deps, ex, acct, [route], (d) =>
    attempt(adapterFor(deps.adapters, d.provider), {
      provider: d.provider,
      upstreamModel: d.upstreamModel,
      request,
      signal: ex.signal,
      requestId: ex.requestId,
    }),
  );
}

/** A non-streaming answer with its usage (the upstream's, else estimated) priced and accounted. */
export async function completeTranslated(
  deps: TranslatedDeps,
  ex: GovernedExchange,
  acct: Accounting,
  route: ModelRoute,
  request: ChatRequest,
): Promise<{ completion: ChatCompletion; usage: Usage }> {
  const completion = await upstream(deps, ex, acct, route, request, (adapter, call) =>
    adapter.complete(call),
  );
  const target = answered(acct);
  routingHeaders(ex, acct);
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
  route: ModelRoute,
  request: ChatRequest,
  translation: StreamTranslation,
): Promise<{ kind: "streamed" }> {
  const chat: ChatRequest = { ...request, stream: true, stream_options: { include_usage: true } };
  // Each attempt resolves only with its first chunk in hand: until then a retry repeats nothing.
  const chunks: ChunkStream = await upstream(deps, ex, acct, route, chat, async (adapter, call) =>
    startStream(await adapter.stream(call), call.provider.name),
  );
  const target = answered(acct);
  routingHeaders(ex, acct);
  const out = ex.events();
  out.open();
  const transcript = new StreamTranscript();
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
        transcript,
      },
    );
    out.end();
    acct.succeed(summary);
  } catch (err) {
    chunks.cancel();
    if (ex.signal.aborted || isAbort(err)) throw err;
    const failure = midStreamFailure(deps, target, ex.requestId, err);
    const e = translation.error(failure, ex.requestId);
    out.send(e.event, e.data);
    out.end();
    // The client got part of an answer: its usage event counts that part.
    acct.succeed(await deliveredUsage(chat, transcript.text(), target.price));
    acct.end(200, failure.code);
  }
  return { kind: "streamed" };
}
