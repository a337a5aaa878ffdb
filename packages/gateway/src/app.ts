import type { FastifyInstance } from "fastify";
import type { Logger } from "pino";
import { openCache } from "./cache/open-cache.js";
import type { ResponseCache } from "./cache/types.js";
import { type GatewayConfig, isConfigured } from "./config/config.js";
import { registerAdminInsightRoutes } from "./http/routes/admin-insights.js";
import { registerAdminUsageRoutes } from "./http/routes/admin-usage.js";
import { registerTemplateRoutes } from "./http/routes/templates.js";
import { findUiDir, registerUiRoutes } from "./http/routes/ui.js";
import { registerUsageRoutes } from "./http/routes/usage.js";
import { buildServer } from "./http/server.js";
import { KeyCache } from "./keys/key-cache.js";
import { openLimiter } from "./limits/open-limiter.js";
import type { Limiter } from "./limits/types.js";
import { createLogger, logThrottle } from "./logging.js";
import { createObservability } from "./observe/observability.js";
import { AnthropicPassThrough } from "./providers/anthropic/passthrough.js";
import type { Cancellation } from "./providers/cancellation.js";
import { createEmbedders } from "./providers/embeddings/registry.js";
import { OpenAIResponsesPassThrough } from "./providers/openai-responses/passthrough.js";
import { createAdapters } from "./providers/registry.js";
import { UpstreamHttp } from "./providers/upstream-http.js";
import { DeploymentStats } from "./routing/deployment-stats.js";
import { openHealth } from "./routing/open-health.js";
import { Router } from "./routing/router.js";
import { openStore } from "./store/open-store.js";
import type { Store } from "./store/types.js";
import { TemplateCache } from "./templates/template-cache.js";
import { UsageWriter } from "./usage/usage-writer.js";

export interface Gateway {
  readonly app: FastifyInstance;
  readonly store: Store;
  readonly keys: KeyCache;
  readonly usage: UsageWriter;
  readonly limiter: Limiter;
  readonly templates: TemplateCache;
  /** The response cache; undefined when MESHAPI_CACHE=off. */
  readonly cache: ResponseCache | undefined;
  readonly config: GatewayConfig;
  readonly log: Logger;
  /** Listens on the configured host and port; resolves with the URL actually bound (port 0 → real port). */
  listen(): Promise<string>;
  /** Graceful stop: refuse new requests, let in-flight ones finish within the grace period, flush, close. */
  stop(): Promise<void>;
}

export interface GatewayOptions {
  log?: Logger;
  /** The built dashboard's folder; default: `@meshapi/ui`'s `dist/` if built. `null`: serve none. */
  uiDir?: string | null;
  /** The response cache's clock (Unix ms); tests move it instead of waiting for a TTL. */
  cacheClock?: () => number;
}

/** Wires the store, key cache, usage writer, provider adapters and HTTP server together. */
export async function createGateway(config: GatewayConfig, options: GatewayOptions = {}): Promise<Gateway> {
  const log = options.log ?? createLogger(config.logLevel);
  const store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  const keys = new KeyCache(store, {
    pollIntervalMs: config.keyPollIntervalMs,
    negativeTtlMs: 2_000,
    maxNegativeEntries: 10_000,
    onPollError: (err) =>
      log.warn({ err: (err as Error).message }, "key refresh failed; serving cached keys"),
  });
  await keys.start();
  // One line per 10 s while events are being dropped: enough to alert on, not a flood.
  const dropLogDue = logThrottle();
  const usage = new UsageWriter(store, {
    batchSize: 200,
    // Also the crash-loss window: a `kill -9` loses at most the events of this long plus one batch
    // write (docs/hardening.md). A transaction per 50 ms costs the store nothing; under load batches
    // fill to 200 first anyway.
    flushIntervalMs: 50,
    // A store that is down is tried 4 times a second, not 20: each failure is logged.
    retryDelayMs: 250,
    maxQueued: 100_000,
    // Accounting off (MESHAPI_RECORD_USAGE=false): responses keep usage and cost, no event is stored.
    enabled: config.recordUsage,
    onError: (err, n) =>
      log.error({ err: (err as Error).message, events: n }, "usage write failed; will retry"),
    onDrop: (n, total) => {
      if (dropLogDue()) {
        log.error(
          { events: n, droppedTotal: total },
          "usage queue full (the store has been failing): the oldest events were dropped",
        );
      }
    },
  });
  const limiter = await openLimiter(config, store, log);
  const observe = await createObservability(config.observe, log);
  const templates = new TemplateCache(store, config.templateCacheMs);
  const health = await openHealth(config, log);
  const router = new Router({ health, stats: new DeploymentStats(), retry: config.routing.retry, log });
  const cache = await openCache(config, log, options.cacheClock);
  const http = new UpstreamHttp();
  const inflight = new Set<Cancellation>();
  let closing = false;
  const app = buildServer({
    config,
    store,
    keys,
    log,
    usage,
    adapters: createAdapters(http),
    embedders: createEmbedders(http),
    anthropicPassThrough: new AnthropicPassThrough(http),
    openaiResponsesPassThrough: new OpenAIResponsesPassThrough(http),
    inflight,
    isClosing: () => closing,
    observer: observe.observer,
    governance: {
      limiter: observe.observeLimiter(limiter),
      onLimiterDown: config.onLimiterDown,
      onSpendDown: config.onSpendDown,
      defaultReservationTokens: config.defaultReservationTokens,
      log,
    },
    templates: (owner, idOrName) => templates.lookup(owner, idOrName),
    router,
    cache,
  });
  const routeDeps = { store, log, config, forgetTemplates: (owner: string) => templates.forget(owner) };
  registerUsageRoutes(app, routeDeps);
  registerTemplateRoutes(app, routeDeps);
  registerAdminUsageRoutes(app, routeDeps);
  registerAdminInsightRoutes(app, routeDeps);
  registerUiRoutes(app, options.uiDir === undefined ? findUiDir() : (options.uiDir ?? undefined));
  observe.attach(app, { usage, store, limiter });

  let stopping: Promise<void> | undefined;
  const stop = async () => {
    closing = true;
    // Past the grace period, cut what is still running: abort upstream calls and close sockets.
    const grace = setTimeout(() => {
      log.warn({ inflight: inflight.size }, "grace period over; closing remaining connections");
      for (const c of inflight) c.abort();
      app.server.closeAllConnections();
    }, config.shutdownGraceMs);
    // Connections that finish their last response while we drain should not linger as keep-alive.
    const idleSweep = setInterval(() => app.server.closeIdleConnections(), 100);
    try {
      await app.close();
    } finally {
      clearTimeout(grace);
      clearInterval(idleSweep);
      keys.stop();
      await usage.flush().catch((err) => log.error({ err: (err as Error).message }, "usage flush failed"));
      await http.close().catch(() => {});
      await limiter.close().catch(() => {});
      await health.close().catch(() => {});
      await cache?.close().catch(() => {});
      await observe
        .shutdown()
        .catch((err) => log.warn({ err: (err as Error).message }, "span export failed"));
      await store.close();
    }
  };

  return {
    app,
    store,
    keys,
    usage,
    limiter,
    templates,
    cache,
    config,
    log,
    async listen() {
      await app.listen({ host: config.host, port: config.port });
      const address = app.server.address();
      const port = typeof address === "object" && address ? address.port : config.port;
      const host = config.host.includes(":") ? `[${config.host}]` : config.host;
      return `http://${host}:${port}`;
    },
    stop() {
      stopping ??= stop();
      return stopping;
    },
  };
}

/** Names of the variables that would configure a provider, for the "no credentials" warning. */
export function unconfiguredHint(config: GatewayConfig): string | undefined {
  const configured = [...config.providers.values()].filter((p) => p.requiresKey && isConfigured(p));
  if (configured.length > 0) return undefined;
  const vars = [...config.providers.values()].filter((p) => p.requiresKey).map((p) => p.apiKeyEnv);
  return `No provider has credentials, so only keyless local providers (ollama) can answer. Set one of: ${vars.join(", ")}.`;
}
