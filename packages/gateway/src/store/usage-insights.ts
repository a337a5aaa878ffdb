import { type Kysely, sql } from "kysely";
import type {
  ProviderOutcome,
  RecentRequest,
  RecentRequestsQuery,
  UsagePoint,
  UsageSeriesQuery,
} from "./insight-types.js";
import { PROVIDER_FAILURE_CODES } from "./insight-types.js";
import type { Dialect } from "./migrations.js";
import type { Database } from "./schema.js";
import { groupExpression, usageFilter } from "./usage-queries.js";

type Num = number | string | null;
const num = (v: Num): number => Number(v ?? 0);
const numOrNull = (v: Num): number | null => (v === null ? null : Number(v));

/**
 * Usage per time bucket (and per group), oldest first. The bucket is computed from the integer
 * `created_at` with the same arithmetic in both dialects, so SQLite and PostgreSQL agree to the ms.
 */
export async function usageSeries(
  db: Kysely<Database>,
  dialect: Dialect,
  query: UsageSeriesQuery,
): Promise<UsagePoint[]> {
  // The width is a validated positive integer; as a literal it keeps PostgreSQL's bigint arithmetic.
  const width = sql.lit(Math.trunc(query.bucketMs));
  const bucket = sql<number | string>`(created_at - created_at % ${width})`;
  const group = query.groupBy ? groupExpression(query.groupBy, dialect) : undefined;
  let q = db
    .selectFrom("usage_events")
    .select((eb) => [
      bucket.as("bucket"),
      eb.fn.countAll<number | string>().as("requests"),
      sql<Num>`sum(case when status >= 400 then 1 else 0 end)`.as("errors"),
      eb.fn.sum<Num>("prompt_tokens").as("prompt_tokens"),
      eb.fn.sum<Num>("completion_tokens").as("completion_tokens"),
      eb.fn.sum<Num>("cost_usd").as("cost_usd"),
    ])
    .where((eb) => usageFilter(eb, query))
    .groupBy(bucket)
    .orderBy(bucket);
  if (group) q = q.select(group.as("group_key")).groupBy(group).orderBy(group);
  const rows = (await q.execute()) as Array<Record<string, Num>>;
  return rows.map((r) => ({
    bucketStart: num(r.bucket as Num),
    ...(group
      ? { group: r.group_key === null || r.group_key === undefined ? null : String(r.group_key) }
      : {}),
    requests: num(r.requests as Num),
    errors: num(r.errors as Num),
    promptTokens: num(r.prompt_tokens as Num),
    completionTokens: num(r.completion_tokens as Num),
    costUsd: num(r.cost_usd as Num),
  }));
}

/** The newest usage events first; pages by row id, which the primary key index serves directly. */
export async function recentRequests(
  db: Kysely<Database>,
  query: RecentRequestsQuery,
): Promise<RecentRequest[]> {
  let q = db.selectFrom("usage_events").selectAll().orderBy("id", "desc").limit(query.limit);
  if (query.beforeId !== undefined) q = q.where("id", "<", query.beforeId);
  if (query.keyId !== undefined) q = q.where("key_id", "=", query.keyId);
  if (query.model !== undefined) q = q.where("model", "=", query.model);
  if (query.outcome === "error") q = q.where("status", ">=", 400);
  if (query.outcome === "ok") q = q.where("status", "<", 400);
  const rows = await q.execute();
  return rows.map((r) => ({
    id: Number(r.id),
    requestId: r.request_id,
    keyId: r.key_id,
    provider: r.provider,
    model: r.model,
    sessionId: r.session_id,
    stream: Boolean(r.stream),
    status: Number(r.status),
    errorCode: r.error_code,
    latencyMs: Number(r.latency_ms),
    ttftMs: numOrNull(r.ttft_ms),
    promptTokens: Number(r.prompt_tokens),
    completionTokens: Number(r.completion_tokens),
    costUsd: numOrNull(r.cost_usd),
    estimated: Boolean(r.estimated),
    createdAt: Number(r.created_at),
    deployment: r.deployment,
    attempts: Number(r.attempts),
    attemptLog: r.attempt_log,
    cacheHit: Boolean(r.cache_hit),
  }));
}

/** Per provider, what its requests since `sinceMs` returned; requests that never reached one are left out. */
export async function providerOutcomes(db: Kysely<Database>, sinceMs: number): Promise<ProviderOutcome[]> {
  // A provider's 4xx (other than 429) is passed through with its status: the request's fault, not its.
  const failed = sql<boolean>`(error_code in (${sql.join(PROVIDER_FAILURE_CODES)}) and (status >= 500 or status = 429))`;
  const rows = await db
    .selectFrom("usage_events")
    .select((eb) => [
      "provider",
      eb.fn.countAll<number | string>().as("requests"),
      sql<Num>`sum(case when ${failed} then 1 else 0 end)`.as("failures"),
      sql<Num>`avg(case when status < 400 then latency_ms end)`.as("avg_latency_ms"),
      eb.fn.max("created_at").as("last_request_at"),
      sql<Num>`max(case when status < 400 then created_at end)`.as("last_success_at"),
      sql<Num>`max(case when ${failed} then created_at end)`.as("last_failure_at"),
    ])
    .where("created_at", ">=", sinceMs)
    .where("provider", "is not", null)
    .groupBy("provider")
    .orderBy("provider")
    .execute();
  return rows.map((r) => ({
    provider: String(r.provider),
    requests: num(r.requests),
    failures: num(r.failures),
    avgLatencyMs: r.avg_latency_ms === null ? null : Math.round(Number(r.avg_latency_ms)),
    lastRequestAt: num(r.last_request_at),
    lastSuccessAt: numOrNull(r.last_success_at),
    lastFailureAt: numOrNull(r.last_failure_at),
  }));
}
