import type { FastifyInstance } from "fastify";
import type { Registry } from "prom-client";
import { GatewayError } from "../errors/catalog.js";
import type { HttpObserver } from "../http/http-observer.js";
import { tokenMatches } from "../http/routes/admin-auth.js";
import type { CounterSeries } from "./fast-series.js";
import type { GatewayMetrics } from "./metric-definitions.js";

/**
 * Counts every HTTP request by route template (`/v1/templates/:id`, never the raw URL, so ids do not
 * become labels; "unmatched" for 404s), method and status, and the requests in flight: from Fastify's
 * hooks, and from the chat lane through `app.httpObservers`.
 */
export function countHttpRequests(app: FastifyInstance, m: GatewayMetrics): void {
  const counter = httpCounter(m);
  // An earlier onRequest hook may answer (401, shutting down) before this one runs; onResponse runs
  // for those too, so only requests this hook saw leave the in-flight count.
  const seenRequests = new WeakSet<object>();
  app.addHook("onRequest", (req, _reply, done) => {
    seenRequests.add(req);
    counter.started();
    done();
  });
  app.addHook("onResponse", (req, reply, done) => {
    const started = seenRequests.delete(req);
    counter.ended(req.routeOptions.url ?? "unmatched", req.method, reply.statusCode, started);
    done();
  });
  app.httpObservers.push(counter);
}

function httpCounter(m: GatewayMetrics): HttpObserver {
  // Routes × methods × statuses is a small set: each series is resolved once, by a short string key.
  const seen = new Map<string, CounterSeries>();
  return {
    started: () => m.httpInFlight.inc(),
    ended(route, method, status, started = true) {
      if (started) m.httpInFlight.dec();
      const key = `${status} ${method} ${route}`;
      let series = seen.get(key);
      if (series === undefined) {
        series = m.httpRequests.series({ route, method, status: String(status) });
        seen.set(key, series);
      }
      series.value++;
    },
  };
}

/**
 * `GET /metrics` in Prometheus' text format. With MESHAPI_METRICS_TOKEN set it needs
 * `Authorization: Bearer <token>` (401 otherwise); without, it is open like `/healthz`.
 */
export function registerMetricsRoute(
  app: FastifyInstance,
  registry: Registry,
  token: string | undefined,
): void {
  app.get("/metrics", async (req, reply) => {
    if (token !== undefined && !tokenMatches(req.headers.authorization, token)) {
      throw new GatewayError("unauthorized", "/metrics needs Authorization: Bearer $MESHAPI_METRICS_TOKEN.");
    }
    const body = await registry.metrics();
    return reply.type(registry.contentType).send(body);
  });
}
