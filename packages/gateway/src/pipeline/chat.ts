import type { Logger } from "pino";
import type { ResponseCache } from "../cache/types.js";
import type { GatewayConfig } from "../config/config.js";
import { GatewayError, toEnvelope } from "../errors/catalog.js";
import type { SseChannel } from "../http/sse.js";
import type { Ticket } from "../limits/types.js";
import type { ChatObserver } from "../observe/observer.js";
import type { Cancellation } from "../providers/cancellation.js";
import type { ChatCompletion } from "../providers/openai-types.js";
import type { AdapterRegistry } from "../providers/registry.js";
import { adapterFor } from "../providers/registry.js";
import type { ProviderAdapter, UpstreamCall } from "../providers/types.js";
import { isAbort } from "../providers/upstream-http.js";
import {
  allDeployments,
  type Deployment,
  type ModelRoute,
  resolveModelRoutes,
} from "../routing/deployments.js";
import { checkModelAccess } from "../routing/model-access.js";
import type { Router } from "../routing/router.js";
import type { ApiKeyRecord } from "../store/types.js";
import type { UsageWriter } from "../usage/usage-writer.js";
import { Accounting, settle } from "./accounting.js";
import { admit, type Governance } from "./admit.js";
import { applyTemplate, type TemplateLookup } from "./apply-template.js";
import { replayCached } from "./cache-replay.js";
import type { ChatRequest } from "./chat-request.js";
import { visitCache } from "./response-cache.js";
import { callRouted, routingHeaders } from "./routed-call.js";
import { midStreamFailure } from "./stream-failure.js";
import { relayStream } from "./stream-relay.js";
import { startStream } from "./stream-start.js";
import { StreamTranscript } from "./stream-transcript.js";
import { completionText, deliveredUsage, estimateUsage, priceUsage } from "./usage-math.js";
import { noMessages, validateChatRequest } from "./validate.js";

export interface ChatDeps {
  config: GatewayConfig;
  adapters: AdapterRegistry;
  usage: UsageWriter;
  log: Logger;
  governance: Governance;
  /** Finds a template of the calling key by id or name (cached). */
  templates: TemplateLookup;
  /** Deployments, retries and cooldowns. */
  router: Router;
  /** The response cache; absent when it is off (MESHAPI_CACHE=off). */
  cache?: ResponseCache | undefined;
  /** Metrics and tracing, called at named points of the pipeline (observe/observer.ts). */
  observer: ChatObserver;
}

/** One chat request as the HTTP layer hands it over, already authenticated. */
export interface ChatExchange {
  requestId: string;
  key: ApiKeyRecord;
  body: unknown;
  /** Aborted when the client disconnects; cancels the upstream call. */
  signal: Cancellation;
  /** `performance.now()` when the request arrived. */
  startedAt: number;
  /** The SSE writer for this response; opened only once the upstream has answered. */
  sse: () => SseChannel;
  /** Sets a response header (`x-ratelimit-*`, `x-meshapi-*`) on the JSON reply and the SSE writer alike. */
  setHeader?: (name: string, value: string) => void;
  /** Retries asked for with `x-meshapi-retries`; the configured number when undefined. */
  retries?: number | undefined;
}

export type ChatResult = { kind: "json"; body: ChatCompletion } | { kind: "streamed" } | { kind: "aborted" };

/** Reserved names for `transforms`; none is implemented yet, so any name is refused rather than ignored. */
const KNOWN_TRANSFORMS: readonly string[] = [];

/**
 * The chat completion pipeline, top to bottom: validate → render template → model access → resolve
 * routes → admit (rate limits, spend reservation) → the response cache → call the provider through the
 * router (deployments, retries, cooldowns, then the `models` fallbacks) → respond (JSON or SSE) →
 * account and settle. Authentication happened in the HTTP layer.
 */
export async function handleChat(deps: ChatDeps, ex: ChatExchange): Promise<ChatResult> {
  const acct = new Accounting(ex);
  const setHeader = ex.setHeader ?? (() => {});
  deps.observer.requestStarted(ex);
  let ticket: Ticket | undefined;
  try {
    const request = validateChatRequest(ex.body);
    acct.describe(request);
    checkTransforms(request);
    const rendered =
      request.template === undefined ? request : await applyTemplate(deps.templates, ex.key.id, request);
    if (rendered.messages.length === 0) throw noMessages();
    acct.describe(rendered);
    checkModelAccess(ex.key, rendered.model ?? deps.config.defaultModel, rendered.models);
    const routes = resolveModelRoutes(deps.config, rendered.model, rendered.models);
    const admitted = admit(
      deps.governance,
      { key: ex.key, requestId: ex.requestId, setHeader },
      rendered,
      allDeployments(routes),
    );
    ticket = admitted instanceof Promise ? await admitted : admitted;
    // The response cache: a hit answers here; a miss records the live answer and keeps it if it completes.
    const visit = visitCache(deps, ex.key, rendered, routes, setHeader);
    const cached = visit instanceof Promise ? await visit : visit;
    if (cached?.answer) return await replayCached(ex, acct, cached.answer);
    const live = cached ? { ...ex, sse: cached.record(ex.sse) } : ex;
    // Adapters build each vendor's body from the fields they know; MeshAPI's extensions never reach one.
    const result = rendered.stream
      ? await streamChat(deps, live, acct, routes, rendered)
      : await completeChat(deps, live, acct, routes, rendered);
    cached?.keep(result.kind === "json" ? result.body : undefined, ex.signal.aborted);
    return result;
  } catch (err) {
    if (ex.signal.aborted || isAbort(err)) {
      acct.end(499, "client_closed");
      return { kind: "aborted" };
    }
    if (acct.attempts.records.length > 0)
      setHeader("x-meshapi-attempts", String(acct.attempts.records.length));
    acct.end(
      err instanceof GatewayError ? err.status : 500,
      err instanceof GatewayError ? err.code : "internal_error",
    );
    throw err;
  } finally {
    const event = acct.event();
    deps.usage.record(event);
    if (ticket) settle(deps, ticket, event);
    deps.observer.requestEnded(ex, event);
  }
}

async function completeChat(
  deps: ChatDeps,
  ex: ChatExchange,
  acct: Accounting,
  routes: readonly ModelRoute[],
  request: ChatRequest,
): Promise<ChatResult> {
  const completion = await callUpstream(deps, ex, acct, routes, request, (adapter, call) =>
    adapter.complete(call),
  );
  const target = acct.attempts.deployment as Deployment;
  completion.model = target.publicModel;
  const usage = completion.usage ?? (await estimateUsage(request, completionText(completion)));
  completion.usage = usage;
  acct.succeed(priceUsage(usage, target.price));
  routingHeaders(ex, acct);
  return { kind: "json", body: completion };
}

async function streamChat(
  deps: ChatDeps,
  ex: ChatExchange,
  acct: Accounting,
  routes: readonly ModelRoute[],
  request: ChatRequest,
): Promise<ChatResult> {
  // Each attempt resolves only with its first chunk in hand: until then a retry repeats nothing.
  const chunks = await callUpstream(deps, ex, acct, routes, request, async (adapter, call) =>
    startStream(await adapter.stream(call), call.provider.name),
  );
  const target = acct.attempts.deployment as Deployment;
  routingHeaders(ex, acct);
  const sse = ex.sse();
  sse.open();
  deps.observer.streamOpened(ex);
  const transcript = new StreamTranscript();
  try {
    const summary = await relayStream(chunks, sse, {
      request,
      publicModel: target.publicModel,
      price: target.price,
      onFirstChunk: () => acct.firstToken(),
      transcript,
    });
    sse.done();
    acct.succeed(summary);
    return { kind: "streamed" };
  } catch (err) {
    chunks.cancel();
    if (ex.signal.aborted || isAbort(err)) throw err;
    const failure = midStreamFailure(deps, target, ex.requestId, err);
    sse.fail(toEnvelope(failure, ex.requestId));
    // The client got part of an answer: its usage event counts that part.
    acct.succeed(await deliveredUsage(request, transcript.text(), target.price));
    acct.end(200, failure.code);
    return { kind: "streamed" };
  }
}

/** One adapter call per attempt, through the router (deployments, retries, cooldowns). */
function callUpstream<T>(
  deps: ChatDeps,
  ex: ChatExchange,
  acct: Accounting,
  routes: readonly ModelRoute[],
  request: ChatRequest,
  attempt: (adapter: ProviderAdapter, call: UpstreamCall) => Promise<T>,
): Promise<T> {
  return callRouted(deps, ex, acct, routes, (d) => {
    const adapter = adapterFor(deps.adapters, d.provider);
    const call = {
      provider: d.provider,
      upstreamModel: d.upstreamModel,
      request,
      signal: ex.signal,
      requestId: ex.requestId,
    };
    return deps.observer.attempt(ex, d, () => attempt(adapter, call));
  });
}

function checkTransforms(request: ChatRequest): void {
  const unknown = (request.transforms ?? []).filter((t) => !KNOWN_TRANSFORMS.includes(t));
  if (unknown.length === 0) return;
  throw new GatewayError("validation_error", `Unknown transforms: ${unknown.join(", ")}.`, {
    param: "transforms",
    details: unknown.map((t) => ({
      type: "unknown_transform",
      loc: ["body", "transforms", (request.transforms ?? []).indexOf(t)],
      msg: `"${t}" is not a transform this gateway offers`,
    })),
  });
}
