import type { Logger } from "pino";
import type { GatewayConfig } from "../config/config.js";
import { GatewayError, toEnvelope } from "../errors/catalog.js";
import type { SseWriter } from "../http/sse.js";
import type { Ticket } from "../limits/types.js";
import { toNanos } from "../limits/types.js";
import type { ChatObserver } from "../observe/observer.js";
import type { Cancellation } from "../providers/cancellation.js";
import type { ChatCompletion } from "../providers/openai-types.js";
import type { AdapterRegistry } from "../providers/registry.js";
import type { ProviderAdapter, UpstreamCall } from "../providers/types.js";
import { isAbort } from "../providers/upstream-http.js";
import { isRetryableUpstreamError } from "../providers/upstream-status.js";
import type { ApiKeyRecord, UsageEvent } from "../store/types.js";
import type { UsageWriter } from "../usage/usage-writer.js";
import { admit, type Governance } from "./admit.js";
import { applyTemplate, type TemplateLookup } from "./apply-template.js";
import type { ChatRequest } from "./chat-request.js";
import { type RouteTarget, resolveRoutes } from "./resolve-route.js";
import { relayStream } from "./stream-relay.js";
import { EMPTY_USAGE, estimateUsage, priceUsage, type UsageSummary } from "./usage-math.js";
import { noMessages, validateChatRequest } from "./validate.js";

export interface ChatDeps {
  config: GatewayConfig;
  adapters: AdapterRegistry;
  usage: UsageWriter;
  log: Logger;
  governance: Governance;
  /** Finds a template of the calling key by id or name (cached). */
  templates: TemplateLookup;
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
  sse: () => SseWriter;
  /** Sets a response header (the `x-ratelimit-*` family) on the JSON reply and the SSE writer alike. */
  setHeader?: (name: string, value: string) => void;
}

export type ChatResult = { kind: "json"; body: ChatCompletion } | { kind: "streamed" } | { kind: "aborted" };

/** Reserved names for `transforms`; none is implemented yet, so any name is refused rather than ignored. */
const KNOWN_TRANSFORMS: readonly string[] = [];

/**
 * The chat completion pipeline, top to bottom: validate → render template → resolve routes → admit
 * (rate limits, spend reservation) → call the provider (falling back along `models`) → respond (JSON or
 * SSE) → account and settle. Authentication happened in the HTTP layer.
 */
export async function handleChat(deps: ChatDeps, ex: ChatExchange): Promise<ChatResult> {
  const acct = new Accounting(ex);
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
    const targets = resolveRoutes(deps.config, rendered.model, rendered.models);
    const admitted = admit(
      deps.governance,
      { key: ex.key, requestId: ex.requestId, setHeader: ex.setHeader ?? (() => {}) },
      rendered,
      targets,
    );
    ticket = admitted instanceof Promise ? await admitted : admitted;
    // Adapters build each vendor's body from the fields they know; MeshAPI's extensions never reach one.
    return rendered.stream
      ? await streamChat(deps, ex, acct, targets, rendered)
      : await completeChat(deps, ex, acct, targets, rendered);
  } catch (err) {
    if (ex.signal.aborted || isAbort(err)) {
      acct.end(499, "client_closed");
      return { kind: "aborted" };
    }
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

/** Releases the request's slot, books its tokens and turns its reservation into its actual cost. */
function settle(deps: ChatDeps, ticket: Ticket, event: UsageEvent): void {
  try {
    deps.governance.limiter.settle(ticket, {
      costNanos: toNanos(event.costUsd ?? 0),
      tokens: event.promptTokens + event.completionTokens,
    });
  } catch (err) {
    deps.log.error({ err: (err as Error).message, requestId: ticket.requestId }, "settling limits failed");
  }
}

async function completeChat(
  deps: ChatDeps,
  ex: ChatExchange,
  acct: Accounting,
  targets: RouteTarget[],
  request: ChatRequest,
): Promise<ChatResult> {
  const { target, value: completion } = await firstAnswer(deps, ex, acct, targets, request, (adapter, call) =>
    adapter.complete(call),
  );
  completion.model = target.publicModel;
  const usage = completion.usage ?? (await estimateUsage(request, completionText(completion)));
  completion.usage = usage;
  acct.succeed(priceUsage(usage, target.price));
  return { kind: "json", body: completion };
}

async function streamChat(
  deps: ChatDeps,
  ex: ChatExchange,
  acct: Accounting,
  targets: RouteTarget[],
  request: ChatRequest,
): Promise<ChatResult> {
  const { target, value: chunks } = await firstAnswer(deps, ex, acct, targets, request, (adapter, call) =>
    adapter.stream(call),
  );
  const sse = ex.sse();
  sse.open();
  deps.observer.streamOpened(ex);
  try {
    const summary = await relayStream(chunks, sse, {
      request,
      publicModel: target.publicModel,
      price: target.price,
      onFirstChunk: () => acct.firstToken(),
    });
    sse.done();
    acct.succeed(summary);
    return { kind: "streamed" };
  } catch (err) {
    chunks.cancel();
    if (ex.signal.aborted || isAbort(err)) throw err;
    const failure =
      err instanceof GatewayError
        ? err
        : new GatewayError("internal_error", "The stream failed.", { cause: err });
    if (!(err instanceof GatewayError))
      deps.log.error({ err, requestId: ex.requestId }, "stream relay failed");
    sse.fail(toEnvelope(failure, ex.requestId));
    acct.end(200, failure.code);
    return { kind: "streamed" };
  }
}

/** Calls the targets in order until one answers; only upstream failures that another route may fix move on. */
async function firstAnswer<T>(
  deps: ChatDeps,
  ex: ChatExchange,
  acct: Accounting,
  targets: RouteTarget[],
  request: ChatRequest,
  attempt: (adapter: ProviderAdapter, call: UpstreamCall) => Promise<T>,
): Promise<{ target: RouteTarget; value: T }> {
  for (let i = 0; ; i++) {
    const target = targets[i] as RouteTarget;
    acct.route(target);
    const adapter = deps.adapters[target.provider.format];
    if (!adapter) {
      throw new GatewayError(
        "model_not_found",
        `Provider "${target.provider.name}" has no adapter for its format.`,
      );
    }
    const call: UpstreamCall = {
      provider: target.provider,
      upstreamModel: target.upstreamModel,
      request,
      signal: ex.signal,
      requestId: ex.requestId,
    };
    try {
      return { target, value: await deps.observer.attempt(ex, target, () => attempt(adapter, call)) };
    } catch (err) {
      if (ex.signal.aborted || i === targets.length - 1 || !isRetryableUpstreamError(err)) throw err;
      deps.log.warn(
        { requestId: ex.requestId, model: target.publicModel, err: (err as Error).message },
        "falling back to the next model",
      );
    }
  }
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

function completionText(completion: ChatCompletion): string {
  return completion.choices
    .map(
      (c) =>
        (c.message?.content ?? "") + (c.message?.tool_calls ?? []).map((t) => t.function.arguments).join(""),
    )
    .join("");
}

/** Collects what the usage event of this request will say. */
class Accounting {
  private request: ChatRequest | undefined;
  private target: RouteTarget | undefined;
  private usage: UsageSummary = EMPTY_USAGE;
  private status = 200;
  private errorCode: string | null = null;
  private ttftMs: number | null = null;

  constructor(private readonly ex: ChatExchange) {}

  describe(request: ChatRequest): void {
    this.request = request;
  }

  route(target: RouteTarget): void {
    this.target = target;
  }

  firstToken(): void {
    this.ttftMs = performance.now() - this.ex.startedAt;
  }

  succeed(usage: UsageSummary): void {
    this.usage = usage;
    this.status = 200;
  }

  end(status: number, errorCode: string): void {
    this.status = status;
    this.errorCode = errorCode;
  }

  event(): UsageEvent {
    const r = this.request;
    return {
      requestId: this.ex.requestId,
      keyId: this.ex.key.id,
      provider: this.target?.provider.name ?? null,
      model: this.target?.publicModel ?? r?.model ?? null,
      sessionId: r?.session_id ?? null,
      user: r?.user ?? null,
      stream: r?.stream === true,
      promptTokens: this.usage.promptTokens,
      completionTokens: this.usage.completionTokens,
      cachedTokens: this.usage.cachedTokens,
      reasoningTokens: this.usage.reasoningTokens,
      costUsd: this.usage.costUsd,
      estimated: this.usage.estimated,
      latencyMs: performance.now() - this.ex.startedAt,
      ttftMs: this.ttftMs,
      status: this.status,
      errorCode: this.errorCode,
      createdAt: Date.now(),
    };
  }
}
