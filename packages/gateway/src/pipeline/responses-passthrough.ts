import { GatewayError } from "../errors/catalog.js";
import type { StreamingExchange } from "../http/routes/governed-route.js";
import {
  chatUsageOfResponse,
  type OpenAIResponsesPassThrough,
  type ResponsesPassThroughCall,
} from "../providers/openai-responses/passthrough.js";
import { isAbort } from "../providers/upstream-http.js";
import type { Deployment, ModelRoute } from "../routing/deployments.js";
import type { Accounting } from "./accounting.js";
import type { ResponsesRequest } from "./responses-request.js";
import { answered, callRouted, type RoutedDeps, routingHeaders } from "./routed-call.js";
import { passThroughFailure } from "./stream-failure.js";
import { priceUsage } from "./usage-math.js";

type Obj = Record<string, unknown>;

/** Lifecycle events carry the whole Response: the ones whose `model` and `usage` the relay rewrites. */
const LIFECYCLE = new Set([
  "response.created",
  "response.in_progress",
  "response.completed",
  "response.incomplete",
  "response.failed",
]);

/** What a Responses pass-through needs: OpenAI's Responses API and the router. */
export interface ResponsesPassThroughDeps extends RoutedDeps {
  responses: OpenAIResponsesPassThrough;
}

/** One attempt's call to OpenAI, for the deployment the router picked. */
function passThroughCall(
  ex: StreamingExchange,
  target: Deployment,
  request: ResponsesRequest,
): ResponsesPassThroughCall {
  return {
    provider: target.provider,
    upstreamModel: target.upstreamModel,
    signal: ex.signal,
    requestId: ex.requestId,
    body: request,
  };
}

/** Prices a Response's usage, accounts it, and names the model as the client did. */
function settleResponse(acct: Accounting, target: Deployment, response: Obj): void {
  response.model = target.publicModel;
  if (!response.usage || typeof response.usage !== "object") return;
  const summary = priceUsage(chatUsageOfResponse(response.usage), target.price);
  acct.succeed(summary);
  if (summary.costUsd !== null) (response.usage as Obj).cost = summary.costUsd;
}

export async function completeResponsesPassThrough(
  deps: ResponsesPassThroughDeps,
  ex: StreamingExchange,
  acct: Accounting,
  route: ModelRoute,
  request: ResponsesRequest,
): Promise<{ kind: "json"; body: Obj }> {
  const response = await callRouted(deps, ex, acct, [route], (d) =>
    deps.responses.complete(passThroughCall(ex, d, request)),
  );
  const target = answered(acct);
  routingHeaders(ex, acct);
  settleResponse(acct, target, response);
  return { kind: "json", body: response };
}

/**
 * Relays OpenAI's Responses events frame by frame; only lifecycle events (which carry the Response,
 * with its model and, at the end, its usage) are parsed and rewritten. An upstream `error` or
 * `response.failed` passes through and is accounted as a failure.
 */
export async function streamResponsesPassThrough(
  deps: ResponsesPassThroughDeps,
  ex: StreamingExchange,
  acct: Accounting,
  route: ModelRoute,
  request: ResponsesRequest,
): Promise<{ kind: "streamed" }> {
  // Retried until OpenAI answers with its event stream; from its first event on, never again.
  const upstream = await callRouted(deps, ex, acct, [route], (d) =>
    deps.responses.stream(passThroughCall(ex, d, request)),
  );
  const target = answered(acct);
  routingHeaders(ex, acct);
  const out = ex.events();
  out.open();
  let first = true;
  let ended = false;
  let failed = false;
  let seq = 0;
  try {
    for await (const e of upstream.events) {
      const name = e.event ?? "message";
      let data = e.data;
      if (LIFECYCLE.has(name)) {
        const parsed = JSON.parse(data) as Obj;
        if (parsed.response && typeof parsed.response === "object")
          settleResponse(acct, target, parsed.response as Obj);
        if (name !== "response.created" && name !== "response.in_progress") ended = true;
        if (name === "response.failed") failed = true;
        data = JSON.stringify(parsed);
      } else if (name === "error") {
        failed = true;
        ended = true;
      } else if (first && name.endsWith(".delta")) {
        first = false;
        acct.firstToken();
      }
      const at = /"sequence_number":(\d+)/.exec(data);
      if (at) seq = Number(at[1]) + 1;
      const waiting = out.sendText(name, data);
      if (waiting) await waiting;
    }
    if (!ended)
      throw new GatewayError("upstream_error", "The provider closed the stream before it finished.");
    if (failed) acct.end(200, "upstream_error");
  } catch (err) {
    upstream.cancel();
    if (ex.signal.aborted || isAbort(err)) throw err;
    const failure = passThroughFailure(err, target.provider);
    out.send("error", {
      type: "error",
      sequence_number: seq,
      code: failure.code,
      message: failure.message,
      param: failure.param ?? null,
    });
    acct.end(200, failure.code);
  }
  out.end();
  return { kind: "streamed" };
}
