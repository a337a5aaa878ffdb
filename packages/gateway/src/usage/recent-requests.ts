import { z } from "zod";
import type { RecentRequest, RecentRequestsQuery } from "../store/insight-types.js";
import { parseQuery } from "./query-params.js";

export const MAX_RECENT = 200;

const schema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(MAX_RECENT).default(50),
  before: z.coerce.number().int().positive().optional(),
  key_id: z.string().min(1).optional(),
  model: z.string().min(1).optional(),
  outcome: z.enum(["ok", "error"]).optional(),
});

/** `GET /admin/requests` parameters → a store query; bad ones are a 422 naming each. */
export function toRecentQuery(params: unknown): RecentRequestsQuery {
  const q = parseQuery(schema, params, "recent requests");
  const query: RecentRequestsQuery = { limit: q.limit };
  if (q.before !== undefined) query.beforeId = q.before;
  if (q.key_id !== undefined) query.keyId = q.key_id;
  if (q.model !== undefined) query.model = q.model;
  if (q.outcome !== undefined) query.outcome = q.outcome;
  return query;
}

/** The JSON body of `GET /admin/requests`: snake_case like every other admin answer. */
export function toRecentView(query: RecentRequestsQuery, rows: RecentRequest[]) {
  return {
    object: "list" as const,
    data: rows.map((r) => ({
      id: r.id,
      request_id: r.requestId,
      key_id: r.keyId,
      provider: r.provider,
      model: r.model,
      session_id: r.sessionId,
      stream: r.stream,
      status: r.status,
      error_code: r.errorCode,
      latency_ms: r.latencyMs,
      ttft_ms: r.ttftMs,
      prompt_tokens: r.promptTokens,
      completion_tokens: r.completionTokens,
      cost_usd: r.costUsd,
      estimated: r.estimated,
      created_at: new Date(r.createdAt).toISOString(),
      deployment: r.deployment,
      attempts: r.attempts,
      attempt_log: r.attemptLog === null ? null : (JSON.parse(r.attemptLog) as unknown),
      cache_hit: r.cacheHit,
    })),
    /** Pass as `before` for the next (older) page; null when this page was the last. */
    next_before: rows.length === query.limit ? (rows.at(-1)?.id ?? null) : null,
  };
}
