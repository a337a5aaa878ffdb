import { z } from "zod";
import { SERIES_GROUP_BY, type UsagePoint, type UsageSeriesQuery } from "../store/insight-types.js";
import { parseQuery, parseSpan } from "./query-params.js";
import { parseTime } from "./usage-report.js";

/** A chart wider than this many buckets is refused: the browser gains nothing and the database works hard. */
export const MAX_BUCKETS = 1_000;
/** Widths the automatic choice picks from, smallest first. */
const AUTO_WIDTHS = ["1m", "5m", "15m", "1h", "6h", "1d", "1w"].map((w) => parseSpan(w) as number);
/** Roughly this many buckets when the caller names no width. */
const AUTO_TARGET = 120;

/** The smallest listed width that shows the span in about AUTO_TARGET buckets. */
function autoWidth(spanMs: number): number {
  return AUTO_WIDTHS.find((w) => spanMs / w <= AUTO_TARGET) ?? (AUTO_WIDTHS.at(-1) as number);
}

const time = (now: number) =>
  z.string().transform((v, ctx) => {
    const ms = parseTime(v, now);
    if (ms === undefined)
      ctx.addIssue({ code: "custom", message: "use 7d, 24h, 30m, an ISO date or Unix seconds" });
    return ms ?? 0;
  });

const span = z.string().transform((v, ctx) => {
  const ms = parseSpan(v);
  if (ms === undefined) ctx.addIssue({ code: "custom", message: "use a duration such as 1m, 15m, 1h or 1d" });
  return ms ?? 0;
});

function schema(now: number) {
  return z
    .strictObject({
      since: time(now).prefault("24h"),
      until: time(now).optional(),
      bucket: span.optional(),
      group_by: z.enum(SERIES_GROUP_BY).optional(),
      key_id: z.string().min(1).optional(),
      model: z.string().min(1).optional(),
      session_id: z.string().min(1).optional(),
    })
    .transform((q) => ({ ...q, until: q.until ?? now }))
    .refine((q) => q.since < q.until, { message: "since must be before until", path: ["since"] })
    .refine((q) => (q.until - q.since) / (q.bucket ?? autoWidth(q.until - q.since)) <= MAX_BUCKETS, {
      message: `at most ${MAX_BUCKETS} buckets: widen the bucket or narrow since/until`,
      path: ["bucket"],
    });
}

/** `GET /admin/usage/series` parameters → a store query; bad ones are a 422 naming each. */
export function toSeriesQuery(params: unknown, now: number): UsageSeriesQuery {
  const q = parseQuery(schema(now), params, "usage series");
  const query: UsageSeriesQuery = {
    since: q.since,
    until: q.until,
    bucketMs: q.bucket ?? autoWidth(q.until - q.since),
  };
  if (q.group_by !== undefined) query.groupBy = q.group_by;
  if (q.key_id !== undefined) query.keyId = q.key_id;
  if (q.model !== undefined) query.model = q.model;
  if (q.session_id !== undefined) query.sessionId = q.session_id;
  return query;
}

const GROUP_FIELD = { model: "model", session_id: "session_id", key: "key_id" } as const;

export interface SeriesPointView {
  [group: string]: string | number | null;
  start: string;
  requests: number;
  errors: number;
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  cost_usd: number;
}

export interface UsageSeriesView {
  object: "usage_series";
  since: string;
  until: string;
  bucket_seconds: number;
  group_by: UsageSeriesQuery["groupBy"] | null;
  /** Non-empty buckets only, oldest first (then by group). */
  data: SeriesPointView[];
}

/** The JSON body of `GET /admin/usage/series`. */
export function toSeriesView(query: UsageSeriesQuery, points: UsagePoint[]): UsageSeriesView {
  const group = query.groupBy;
  return {
    object: "usage_series",
    since: new Date(query.since).toISOString(),
    until: new Date(query.until).toISOString(),
    bucket_seconds: query.bucketMs / 1000,
    group_by: group ?? null,
    data: points.map((p) => ({
      start: new Date(p.bucketStart).toISOString(),
      ...(group ? { [GROUP_FIELD[group]]: p.group ?? null } : {}),
      requests: p.requests,
      errors: p.errors,
      prompt_tokens: p.promptTokens,
      completion_tokens: p.completionTokens,
      total_tokens: p.promptTokens + p.completionTokens,
      cost_usd: Math.round(p.costUsd * 1e10) / 1e10,
    })),
  };
}
