import type { Span, Tracer } from "@opentelemetry/api";
import type { Logger } from "pino";
import type { ChatExchange } from "../pipeline/chat.js";
import type { RouteTarget } from "../pipeline/resolve-route.js";
import type { ChatCompletion } from "../providers/openai-types.js";
import type { UsageEvent } from "../store/types.js";
import {
  completionAttributes,
  GEN_AI,
  genAiProvider,
  outcomeAttributes,
  requestAttributes,
} from "./gen-ai-attributes.js";
import type { TracingConfig } from "./observe-config.js";
import type { ChatObserver } from "./observer.js";

export interface Tracing {
  observer: ChatObserver;
  /** Sends the spans still buffered and stops the exporter (graceful shutdown). */
  shutdown(): Promise<void>;
}

/**
 * Starts OpenTelemetry tracing: one SERVER span per chat request, one CLIENT child span per upstream
 * attempt, exported in batches over OTLP/HTTP (JSON). The OpenTelemetry packages are imported here,
 * on demand, so a gateway without an OTLP endpoint never loads them. The tracer provider is private
 * to this gateway (not registered globally): several gateways in one process keep their own.
 */
export async function startTracing(cfg: TracingConfig, log: Logger): Promise<Tracing> {
  const [api, sdk, otlp, resources] = await Promise.all([
    import("@opentelemetry/api"),
    import("@opentelemetry/sdk-trace-base"),
    import("@opentelemetry/exporter-trace-otlp-http"),
    import("@opentelemetry/resources"),
  ]);
  const provider = new sdk.BasicTracerProvider({
    resource: resources.resourceFromAttributes({ "service.name": cfg.serviceName }),
    spanProcessors: [new sdk.BatchSpanProcessor(new otlp.OTLPTraceExporter({ url: cfg.tracesUrl }))],
  });
  const tracer = provider.getTracer("meshapi");
  log.info({ endpoint: cfg.tracesUrl, captureContent: cfg.captureContent }, "OpenTelemetry tracing on");
  return {
    observer: new TracingObserver(tracer, api, cfg.captureContent),
    shutdown: () => provider.shutdown(),
  };
}

type Api = typeof import("@opentelemetry/api");

class TracingObserver implements ChatObserver {
  private readonly spans = new WeakMap<ChatExchange, Span>();

  constructor(
    private readonly tracer: Tracer,
    private readonly api: Api,
    private readonly captureContent: boolean,
  ) {}

  requestStarted(ex: ChatExchange): void {
    const attributes = requestAttributes(ex.body, this.captureContent);
    const model = attributes[GEN_AI.requestModel];
    const span = this.tracer.startSpan(typeof model === "string" ? `chat ${model}` : "chat", {
      kind: this.api.SpanKind.SERVER,
      // The span starts when the request arrived, not when its body had been read.
      startTime: performance.timeOrigin + ex.startedAt,
      attributes: { ...attributes, "meshapi.request_id": ex.requestId, "meshapi.key_id": ex.key.id },
    });
    this.spans.set(ex, span);
  }

  async attempt<T>(ex: ChatExchange, target: RouteTarget, call: () => Promise<T>): Promise<T> {
    const parent = this.spans.get(ex);
    if (!parent) return call();
    const system = genAiProvider(target.provider.name);
    const span = this.tracer.startSpan(
      `chat ${target.upstreamModel}`,
      {
        kind: this.api.SpanKind.CLIENT,
        attributes: {
          [GEN_AI.operation]: "chat",
          [GEN_AI.provider]: system,
          [GEN_AI.system]: system,
          [GEN_AI.requestModel]: target.upstreamModel,
          "server.address": hostOf(target.provider.baseUrl),
          "meshapi.route.model": target.publicModel,
        },
      },
      this.api.trace.setSpan(this.api.ROOT_CONTEXT, parent),
    );
    try {
      const value = await call();
      if (isCompletion(value)) span.setAttributes(completionAttributes(value, this.captureContent));
      return value;
    } catch (err) {
      span.setAttribute("error.type", errorType(err));
      span.setStatus({ code: this.api.SpanStatusCode.ERROR, message: (err as Error).message });
      throw err;
    } finally {
      span.end();
    }
  }

  streamOpened(): void {}

  requestEnded(ex: ChatExchange, event: UsageEvent): void {
    const span = this.spans.get(ex);
    if (!span) return;
    this.spans.delete(ex);
    span.setAttributes(outcomeAttributes(event));
    // For a server span only 5xx is an error; a 4xx is the client's (OpenTelemetry's HTTP conventions).
    if (event.status >= 500) span.setStatus({ code: this.api.SpanStatusCode.ERROR });
    span.end();
  }
}

function isCompletion(value: unknown): value is ChatCompletion {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as { object?: unknown }).object === "chat.completion"
  );
}

function errorType(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  return typeof code === "string" ? code : ((err as Error).name ?? "Error");
}

function hostOf(baseUrl: string): string {
  try {
    return new URL(baseUrl).hostname;
  } catch {
    return baseUrl;
  }
}
