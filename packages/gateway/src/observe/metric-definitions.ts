import type { Registry } from "prom-client";
import { FastCounter, FastGauge, FastHistogram } from "./fast-series.js";

/**
 * Every metric the gateway exports, on one registry per gateway (tests run several in one process).
 * Label sets are fixed and bounded: route templates, provider names, configured model names (capped,
 * see ModelLabels), HTTP statuses and a few enums. Never a key, user, session or request id.
 */
export function defineMetrics(registry: Registry) {
  // The request path's metrics are fast-series.ts's (no label hashing per update); the rest prom-client's.
  const seconds = (name: string, help: string, labelNames: string[], buckets: number[]) =>
    new FastHistogram(name, help, labelNames, buckets, registry);
  const counter = (o: { name: string; help: string; labelNames: string[] }) =>
    new FastCounter(o.name, o.help, o.labelNames, registry);
  const gauge = (o: { name: string; help: string }) => new FastGauge(o.name, o.help, registry);
  return {
    httpRequests: counter({
      name: "meshapi_http_requests_total",
      help: "HTTP requests answered, by route template, method and status",
      labelNames: ["route", "method", "status"],
    }),
    httpInFlight: gauge({
      name: "meshapi_http_requests_in_flight",
      help: "HTTP requests received and not yet answered",
    }),
    chatRequests: counter({
      name: "meshapi_chat_requests_total",
      help: "Chat completion requests, by provider, model, stream and status (one per request, after fallbacks)",
      labelNames: ["provider", "model", "stream", "status"],
    }),
    chatInFlight: gauge({
      name: "meshapi_chat_requests_in_flight",
      help: "Chat completion requests in the pipeline",
    }),
    streamsInFlight: gauge({
      name: "meshapi_chat_streams_in_flight",
      help: "Server-sent event streams open to clients",
    }),
    requestDuration: seconds(
      "meshapi_chat_request_duration_seconds",
      "Whole chat request, from arrival to the last byte",
      ["provider", "model", "stream"],
      [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
    ),
    timeToFirstToken: seconds(
      "meshapi_chat_time_to_first_token_seconds",
      "Streams: from the request's arrival to the first chunk sent to the client",
      ["provider", "model"],
      [0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32],
    ),
    upstreamDuration: seconds(
      "meshapi_upstream_duration_seconds",
      "One upstream attempt: to the whole answer (non-streaming) or to the stream's start (streaming)",
      ["provider", "model", "outcome"],
      [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
    ),
    gatewayOverhead: seconds(
      "meshapi_gateway_overhead_seconds",
      "Non-streaming requests answered at the first attempt: whole duration minus the upstream call",
      ["provider", "model"],
      [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25],
    ),
    tokens: counter({
      name: "meshapi_tokens_total",
      help: "Tokens of answered chat requests, by direction (input, output)",
      labelNames: ["provider", "model", "direction"],
    }),
    cost: counter({
      name: "meshapi_cost_usd_total",
      help: "Cost of answered chat requests in USD, from the price catalog",
      labelNames: ["provider", "model"],
    }),
    limiterDecisions: counter({
      name: "meshapi_limiter_decisions_total",
      help: "Admission decisions: admitted, refused (by which limit) or error (the limiter was unreachable)",
      labelNames: ["decision", "limit"],
    }),
  };
}

export type GatewayMetrics = ReturnType<typeof defineMetrics>;
