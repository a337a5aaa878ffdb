/** Shapes of the dashboard's reads over `usage_events`: time series, recent requests, provider outcomes. */
import type { UsageQuery } from "./types.js";

export type SeriesGroupBy = "model" | "session_id" | "key";
export const SERIES_GROUP_BY: readonly SeriesGroupBy[] = ["model", "session_id", "key"];

export interface UsageSeriesQuery extends Omit<UsageQuery, "groupBy" | "since" | "until"> {
  /** Unix ms, inclusive. */
  since: number;
  /** Unix ms, exclusive. */
  until: number;
  /** Bucket width; buckets start at multiples of it since the Unix epoch (UTC). */
  bucketMs: number;
  groupBy?: SeriesGroupBy;
}

/** Sums of one bucket (and one group, when grouped). Empty buckets are not returned. */
export interface UsagePoint {
  /** Unix ms of the bucket's start. */
  bucketStart: number;
  group?: string | null;
  requests: number;
  /** Requests answered with a status of 400 or more. */
  errors: number;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
}

export interface RecentRequestsQuery {
  limit: number;
  /** Only events stored before this row id (the previous page's last `id`). */
  beforeId?: number;
  keyId?: string;
  model?: string;
  /** `error`: status 400 or more; `ok`: below 400. */
  outcome?: "ok" | "error";
}

export interface RecentRequest {
  /** The row id: increasing in insertion order, the cursor for the next page. */
  id: number;
  requestId: string;
  keyId: string;
  provider: string | null;
  model: string | null;
  sessionId: string | null;
  stream: boolean;
  status: number;
  errorCode: string | null;
  latencyMs: number;
  ttftMs: number | null;
  promptTokens: number;
  completionTokens: number;
  costUsd: number | null;
  estimated: boolean;
  createdAt: number;
  /** The deployment that answered, or was tried last (null: no upstream attempt). */
  deployment: string | null;
  attempts: number;
  /** Every attempt as JSON when there was more than one (see docs/routing.md); else null. */
  attemptLog: string | null;
  cacheHit: boolean;
}

/** What one provider's recorded requests since a moment say about it. */
export interface ProviderOutcome {
  provider: string;
  requests: number;
  /**
   * Requests the provider failed: upstream_error or gateway_timeout with a 5xx or 429 status. A
   * provider's other 4xx answers blame the request, not the provider.
   */
  failures: number;
  /** Mean latency of successful requests, or null without any. */
  avgLatencyMs: number | null;
  lastRequestAt: number;
  lastSuccessAt: number | null;
  lastFailureAt: number | null;
}

/** The error codes that blame the provider rather than the request. */
export const PROVIDER_FAILURE_CODES: readonly string[] = ["upstream_error", "gateway_timeout"];
