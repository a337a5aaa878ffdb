import type { Logger } from "pino";
import { GatewayError } from "../errors/catalog.js";
import { toAnthropicEnvelope } from "../http/anthropic-error.js";
import type { StreamingExchange } from "../http/routes/governed-route.js";
import {
  type AnthropicPassThrough,
  chatUsageOf,
  type PassThroughCall,
} from "../providers/anthropic/passthrough.js";
import { isAbort } from "../providers/upstream-http.js";
import type { Deployment, ModelRoute } from "../routing/deployments.js";
import type { Accounting } from "./accounting.js";
import type { MessagesRequest } from "./messages-request.js";
import { answered, callRouted, type RoutedDeps, routingHeaders } from "./routed-call.js";
import { passThroughFailure } from "./stream-failure.js";
import { priceUsage } from "./usage-math.js";

type Obj = Record<string, unknown>;

export interface PassThroughDeps extends RoutedDeps {
  anthropic: AnthropicPassThrough;
  log: Logger;
}

function header(ex: StreamingExchange, name: string): string | undefined {
  const v = ex.headers?.[name];
  return Array.isArray(v) ? v.join(",") : v;
}

/** One attempt's call to Anthropic, for the deployment the router picked. */
function passThroughCall(
  ex: StreamingExchange,
  target: Deployment,
  request: MessagesRequest,
): PassThroughCall {
  return {
    provider: target.provider,
    upstreamModel: target.upstreamModel,
    signal: ex.signal,
    requestId: ex.requestId,
    body: request,
    version: header(ex, "anthropic-version"),
    beta: header(ex, "anthropic-beta"),
  };
}

/** Anthropic's message as it answered, with the client's model name and MeshAPI's `usage.cost`. */
export async function completePassThrough(
  deps: PassThroughDeps,
  ex: StreamingExchange,
  acct: Accounting,
  route: ModelRoute,
  request: MessagesRequest,
): Promise<{ kind: "json"; body: Obj }> {
  const message = await callRouted(deps, ex, acct, [route], (d) =>
    deps.anthropic.complete(passThroughCall(ex, d, request)),
  );
  const target = answered(acct);
  routingHeaders(ex, acct);
  const summary = priceUsage(chatUsageOf(message.usage), target.price);
  acct.succeed(summary);
  message.model = request.model;
  if (summary.costUsd !== null && message.usage && typeof message.usage === "object") {
    (message.usage as Obj).cost = summary.costUsd;
  }
  return { kind: "json", body: message };
}

/**
 * Relays Anthropic's event stream frame by frame. Only `message_start` (model name, input usage) and
 * `message_delta` (output usage, MeshAPI's cost) are parsed and rewritten; the rest moves as is. An
 * upstream `error` event passes through; a stream that ends without `message_stop` gets one.
 */
export async function streamPassThrough(
  deps: PassThroughDeps,
  ex: StreamingExchange,
  acct: Accounting,
  route: ModelRoute,
  request: MessagesRequest,
): Promise<{ kind: "streamed" }> {
  // Retried until Anthropic answers with its event stream; from its first event on, never again.
  const upstream = await callRouted(deps, ex, acct, [route], (d) =>
    deps.anthropic.stream(passThroughCall(ex, d, request)),
  );
  const target = answered(acct);
  routingHeaders(ex, acct);
  const out = ex.events();
  out.open();
  let usage: Obj = {};
  let first = true;
  let failed: string | undefined;
  let stopped = false;
  try {
    for await (const e of upstream.events) {
      const name = e.event ?? "message";
      let data = e.data;
      if (name === "message_start" || name === "message_delta") {
        const parsed = JSON.parse(data) as Obj;
        if (name === "message_start") {
          const message = (parsed.message ?? {}) as Obj;
          message.model = request.model;
          usage = { ...((message.usage as Obj | undefined) ?? {}) };
        } else {
          usage = { ...usage, ...((parsed.usage as Obj | undefined) ?? {}) };
          const summary = priceUsage(chatUsageOf(usage), target.price);
          acct.succeed(summary);
          if (summary.costUsd !== null && parsed.usage) (parsed.usage as Obj).cost = summary.costUsd;
        }
        data = JSON.stringify(parsed);
      } else if (name === "content_block_delta" && first) {
        first = false;
        acct.firstToken();
      } else if (name === "error") {
        failed = "upstream_error";
      } else if (name === "message_stop") {
        stopped = true;
      }
      const waiting = out.sendText(name, data);
      if (waiting) await waiting;
    }
    if (!stopped && !failed) {
      throw new GatewayError("upstream_error", "The provider closed the stream before it finished.");
    }
    if (failed) acct.end(200, failed);
  } catch (err) {
    upstream.cancel();
    if (ex.signal.aborted || isAbort(err)) throw err;
    const failure = passThroughFailure(err, target.provider);
    out.send("error", toAnthropicEnvelope(failure, ex.requestId));
    // The usage Anthropic reported so far (message_start's input, the last message_delta's output).
    acct.succeed(priceUsage(chatUsageOf(usage), target.price));
    acct.end(200, failure.code);
  }
  out.end();
  return { kind: "streamed" };
}
