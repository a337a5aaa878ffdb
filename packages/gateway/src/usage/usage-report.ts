import { type ErrorDetail, GatewayError } from "../errors/catalog.js";
import { USAGE_GROUP_BY, type UsageGroupBy, type UsageQuery, type UsageRow } from "../store/types.js";

const UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

/**
 * A point in time as users write it: a relative span back from `now` ("30m", "24h", "7d", "2w"), an
 * ISO date or date-time ("2026-11-01", "2026-11-01T12:00:00Z"), or Unix seconds. Undefined if unreadable.
 */
export function parseTime(value: string, now: number): number | undefined {
  const rel = /^(\d+)([mhdw])$/.exec(value.trim());
  if (rel) return now - Number(rel[1]) * (UNITS[rel[2] as string] as number);
  if (/^\d{9,11}$/.test(value)) return Number(value) * 1000;
  if (/^\d{4}-\d{2}-\d{2}/.test(value)) {
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? undefined : ms;
  }
  return undefined;
}

export interface UsageParams {
  since?: string | undefined;
  until?: string | undefined;
  model?: string | undefined;
  session_id?: string | undefined;
  group_by?: string | undefined;
  key_id?: string | undefined;
}

/** Turns query-string parameters into a store query; every bad one is reported (422). */
export function toUsageQuery(
  params: UsageParams,
  now: number,
  where: "query" | "option" = "query",
): UsageQuery {
  const details: ErrorDetail[] = [];
  const query: UsageQuery = {};
  for (const field of ["since", "until"] as const) {
    const raw = params[field];
    if (raw === undefined) continue;
    const ms = parseTime(raw, now);
    if (ms === undefined)
      details.push({
        type: "invalid_time",
        loc: [where, field],
        msg: "use 7d, 24h, 30m, an ISO date or Unix seconds",
      });
    else query[field] = ms;
  }
  if (params.group_by !== undefined) {
    if ((USAGE_GROUP_BY as readonly string[]).includes(params.group_by))
      query.groupBy = params.group_by as UsageGroupBy;
    else details.push({ type: "enum", loc: [where, "group_by"], msg: `one of ${USAGE_GROUP_BY.join(", ")}` });
  }
  if (params.model !== undefined) query.model = params.model;
  if (params.session_id !== undefined) query.sessionId = params.session_id;
  if (params.key_id !== undefined) query.keyId = params.key_id;
  if (details.length > 0) {
    throw new GatewayError("validation_error", "Invalid usage query.", {
      details,
      param: String(details[0]?.loc[1]),
    });
  }
  return query;
}

const GROUP_FIELD: Record<UsageGroupBy, string> = {
  model: "model",
  session_id: "session_id",
  key: "key_id",
  day: "day",
};

export interface UsageRowView {
  [group: string]: string | number | null;
  requests: number;
  prompt_tokens: number;
  completion_tokens: number;
  cached_tokens: number;
  reasoning_tokens: number;
  total_tokens: number;
  cost_usd: number;
  /** Requests answered from the response cache (cost 0, no tokens). */
  cache_hits: number;
}

export interface UsageReport {
  object: "usage";
  since: string | null;
  until: string | null;
  group_by: UsageGroupBy | null;
  data: UsageRowView[];
  total: UsageRowView;
}

function rowView(row: UsageRow): UsageRowView {
  return {
    requests: row.requests,
    prompt_tokens: row.promptTokens,
    completion_tokens: row.completionTokens,
    cached_tokens: row.cachedTokens,
    reasoning_tokens: row.reasoningTokens,
    total_tokens: row.promptTokens + row.completionTokens,
    // Sums of many 1e-10 amounts: round away float noise.
    cost_usd: Math.round(row.costUsd * 1e10) / 1e10,
    cache_hits: row.cacheHits ?? 0,
  };
}

/** The JSON body of `GET /v1/usage` and `GET /admin/usage` (and `meshapi usage --json`). */
export function toUsageReport(query: UsageQuery, rows: UsageRow[]): UsageReport {
  const group = query.groupBy;
  const data = group ? rows.map((r) => ({ [GROUP_FIELD[group]]: r.group ?? null, ...rowView(r) })) : [];
  const sum: UsageRow = {
    requests: 0,
    promptTokens: 0,
    completionTokens: 0,
    cachedTokens: 0,
    reasoningTokens: 0,
    costUsd: 0,
    cacheHits: 0,
  };
  for (const r of rows) {
    sum.requests += r.requests;
    sum.promptTokens += r.promptTokens;
    sum.completionTokens += r.completionTokens;
    sum.cachedTokens += r.cachedTokens;
    sum.reasoningTokens += r.reasoningTokens;
    sum.costUsd += r.costUsd;
    sum.cacheHits = (sum.cacheHits ?? 0) + (r.cacheHits ?? 0);
  }
  return {
    object: "usage",
    since: query.since === undefined ? null : new Date(query.since).toISOString(),
    until: query.until === undefined ? null : new Date(query.until).toISOString(),
    group_by: group ?? null,
    data,
    total: rowView(sum),
  };
}

export { GROUP_FIELD };
