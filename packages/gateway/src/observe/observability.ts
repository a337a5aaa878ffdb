import type { FastifyInstance } from "fastify";
import type { Logger } from "pino";
import { collectDefaultMetrics, Registry } from "prom-client";
import type { Limiter } from "../limits/types.js";
import type { Store } from "../store/types.js";
import type { UsageWriter } from "../usage/usage-writer.js";
import { ChatMetrics } from "./chat-metrics.js";
import { defineHealthGauges } from "./health-gauges.js";
import { defineMetrics, type GatewayMetrics } from "./metric-definitions.js";
import { countHttpRequests, registerMetricsRoute } from "./metrics-http.js";
import { ModelLabels } from "./model-labels.js";
import type { ObserveConfig } from "./observe-config.js";
import { countDecisions } from "./observed-limiter.js";
import { type ChatObserver, combineObservers } from "./observer.js";
import { startTracing, type Tracing } from "./tracing.js";

export interface Observability {
  /** What the chat pipeline calls at its named points. */
  readonly observer: ChatObserver;
  /** The limiter the pipeline should use: the same one, counting its decisions when metrics are on. */
  observeLimiter(limiter: Limiter): Limiter;
  /** Adds `/metrics` and the HTTP request counters to the server. */
  attach(app: FastifyInstance, health: { usage: UsageWriter; store: Store; limiter: Limiter }): void;
  /** Flushes buffered spans. */
  shutdown(): Promise<void>;
}

let processMetrics: Registry | undefined;

/**
 * Process metrics (meshapi_process_*, meshapi_nodejs_*: CPU, memory, event-loop lag, GC, handles) are
 * one set per process, so one registry collects them however many gateways the process runs (tests
 * run many); each gateway serves it merged with its own.
 */
function processRegistry(): Registry {
  if (!processMetrics) {
    processMetrics = new Registry();
    collectDefaultMetrics({ register: processMetrics, prefix: "meshapi_" });
  }
  return processMetrics;
}

/** Metrics (prom-client, on unless MESHAPI_METRICS=false) and tracing (OpenTelemetry, off by default). */
export async function createObservability(cfg: ObserveConfig, log: Logger): Promise<Observability> {
  const registry = cfg.metrics ? new Registry() : undefined;
  const metrics: GatewayMetrics | undefined = registry ? defineMetrics(registry) : undefined;
  const tracing: Tracing | undefined = cfg.tracing ? await startTracing(cfg.tracing, log) : undefined;
  const observers: ChatObserver[] = [];
  if (metrics) observers.push(new ChatMetrics(metrics, new ModelLabels(cfg.metricsMaxModels)));
  if (tracing) observers.push(tracing.observer);
  return {
    observer: combineObservers(observers),
    observeLimiter: (limiter) => (metrics ? countDecisions(limiter, metrics.limiterDecisions) : limiter),
    attach(app, health) {
      if (!registry || !metrics) return;
      defineHealthGauges(registry, health);
      countHttpRequests(app, metrics);
      registerMetricsRoute(app, Registry.merge([processRegistry(), registry]), cfg.metricsToken);
    },
    shutdown: async () => {
      await tracing?.shutdown();
    },
  };
}
