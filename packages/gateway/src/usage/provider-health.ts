import { z } from "zod";
import { type GatewayConfig, isConfigured } from "../config/config.js";
import type { ProviderOutcome } from "../store/insight-types.js";
import { parseQuery, parseSpan } from "./query-params.js";

/** ok: no provider failure in the window; degraded: some; down: mostly failures, the latest one too. */
export type ProviderState = "ok" | "degraded" | "down" | "idle";

/** From this share of failures on, with the last outcome a failure, a provider counts as down. */
const DOWN_RATE = 0.5;

const schema = z.strictObject({
  window: z
    .string()
    .default("15m")
    .transform((v, ctx) => {
      const ms = parseSpan(v);
      if (ms === undefined || ms > 30 * 86_400_000)
        ctx.addIssue({ code: "custom", message: "use a duration up to 30d, such as 5m, 1h or 1d" });
      return ms ?? 0;
    }),
});

/** `GET /admin/providers` parameters: the window in ms. */
export function toHealthWindow(params: unknown): number {
  return parseQuery(schema, params, "provider health").window;
}

export function providerState(o: ProviderOutcome | undefined): ProviderState {
  if (!o || o.requests === 0) return "idle";
  if (o.failures === 0) return "ok";
  const lastFailed =
    o.lastFailureAt !== null && (o.lastSuccessAt === null || o.lastFailureAt >= o.lastSuccessAt);
  return lastFailed && o.failures / o.requests >= DOWN_RATE ? "down" : "degraded";
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/**
 * The JSON body of `GET /admin/providers`: every provider with credentials, plus any other that
 * served traffic in the window, with what its recorded requests say. Derived from usage events, so
 * every gateway instance sharing the database reports the same picture.
 */
export function toProviderHealth(config: GatewayConfig, outcomes: ProviderOutcome[], windowMs: number) {
  const byName = new Map(outcomes.map((o) => [o.provider, o]));
  const names = new Set([
    ...[...config.providers.values()].filter((p) => isConfigured(p)).map((p) => p.name),
    ...byName.keys(),
  ]);
  return {
    object: "list" as const,
    window_seconds: windowMs / 1000,
    data: [...names].sort().map((name) => {
      const provider = config.providers.get(name);
      const o = byName.get(name);
      return {
        provider: name,
        format: provider?.format ?? null,
        configured: provider ? isConfigured(provider) : false,
        status: providerState(o),
        requests: o?.requests ?? 0,
        failures: o?.failures ?? 0,
        failure_rate: o && o.requests > 0 ? Math.round((o.failures / o.requests) * 1000) / 1000 : 0,
        avg_latency_ms: o?.avgLatencyMs ?? null,
        last_request_at: iso(o?.lastRequestAt ?? null),
        last_success_at: iso(o?.lastSuccessAt ?? null),
        last_failure_at: iso(o?.lastFailureAt ?? null),
      };
    }),
  };
}
