import {
  type Expression,
  type ExpressionBuilder,
  type Kysely,
  type RawBuilder,
  type SqlBool,
  sql,
} from "kysely";
import type { Dialect } from "./migrations.js";
import type { Database } from "./schema.js";
import type { UsageGroupBy, UsageQuery, UsageRow } from "./types.js";

/** The grouping expression per dialect; `day` is the UTC calendar day of `created_at`. */
export function groupExpression(groupBy: UsageGroupBy, dialect: Dialect): RawBuilder<string | null> {
  switch (groupBy) {
    case "model":
      return sql<string | null>`model`;
    case "session_id":
      return sql<string | null>`session_id`;
    case "key":
      return sql<string | null>`key_id`;
    case "day":
      return dialect === "postgres"
        ? sql<string>`to_char(to_timestamp(created_at / 1000.0) at time zone 'UTC', 'YYYY-MM-DD')`
        : sql<string>`strftime('%Y-%m-%d', created_at / 1000, 'unixepoch')`;
  }
}

/** The WHERE clause of a usage query's filters; shared by the sums here and the time series. */
export function usageFilter(
  eb: ExpressionBuilder<Database, "usage_events">,
  query: Omit<UsageQuery, "groupBy">,
): Expression<SqlBool> {
  const conds: Expression<SqlBool>[] = [];
  if (query.keyId !== undefined) conds.push(eb("key_id", "=", query.keyId));
  if (query.since !== undefined) conds.push(eb("created_at", ">=", query.since));
  if (query.until !== undefined) conds.push(eb("created_at", "<", query.until));
  if (query.model !== undefined) conds.push(eb("model", "=", query.model));
  if (query.sessionId !== undefined) conds.push(eb("session_id", "=", query.sessionId));
  return eb.and(conds);
}

/** Sums of the usage events matching `query`, one row per group (or one row in all). */
export async function queryUsage(
  db: Kysely<Database>,
  dialect: Dialect,
  query: UsageQuery,
): Promise<UsageRow[]> {
  const group = query.groupBy ? groupExpression(query.groupBy, dialect) : undefined;
  let q = db
    .selectFrom("usage_events")
    .select((eb) => [
      eb.fn.countAll<number | string>().as("requests"),
      eb.fn.coalesce(eb.fn.sum<number | string>("prompt_tokens"), sql<number>`0`).as("prompt_tokens"),
      eb.fn.coalesce(eb.fn.sum<number | string>("completion_tokens"), sql<number>`0`).as("completion_tokens"),
      eb.fn.coalesce(eb.fn.sum<number | string>("cached_tokens"), sql<number>`0`).as("cached_tokens"),
      eb.fn.coalesce(eb.fn.sum<number | string>("reasoning_tokens"), sql<number>`0`).as("reasoning_tokens"),
      eb.fn.coalesce(eb.fn.sum<number | string>("cost_usd"), sql<number>`0`).as("cost_usd"),
      eb.fn.coalesce(eb.fn.sum<number | string>("cache_hit"), sql<number>`0`).as("cache_hits"),
    ])
    .where((eb) => usageFilter(eb, query));
  if (group) {
    q = q.select(group.as("group_key")).groupBy(group).orderBy(group);
  }
  const rows = (await q.execute()) as Array<Record<string, number | string | null>>;
  return rows.map((r) => ({
    ...(group ? { group: r.group_key === null ? null : String(r.group_key) } : {}),
    requests: Number(r.requests),
    promptTokens: Number(r.prompt_tokens),
    completionTokens: Number(r.completion_tokens),
    cachedTokens: Number(r.cached_tokens),
    reasoningTokens: Number(r.reasoning_tokens),
    costUsd: Number(r.cost_usd),
    cacheHits: Number(r.cache_hits),
  }));
}

/** Sum of recorded cost per key since `sinceMs`. */
export async function spendByKey(
  db: Kysely<Database>,
  sinceMs: number,
  keyId?: string,
): Promise<Map<string, number>> {
  let q = db
    .selectFrom("usage_events")
    .select((eb) => ["key_id", eb.fn.sum<number | string>("cost_usd").as("spent")])
    .where("created_at", ">=", sinceMs)
    .groupBy("key_id");
  if (keyId !== undefined) q = q.where("key_id", "=", keyId);
  const rows = await q.execute();
  return new Map(rows.map((r) => [r.key_id, Number(r.spent ?? 0)]));
}
