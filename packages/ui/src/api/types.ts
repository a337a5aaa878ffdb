/** The admin API's answers as the dashboard reads them (see docs/api.md, "Admin API"). */

export type KeyStatus = "active" | "suspended" | "revoked";

export interface Limits {
  rpm: number | null;
  rpd: number | null;
  tpm: number | null;
  max_concurrent: number | null;
  spend_cap_usd: number | null;
  spend_period: "total" | "month";
}

export interface KeyView extends Limits {
  id: string;
  name: string;
  status: KeyStatus;
  display_prefix: string;
  created_at: string;
  updated_at: string;
}

/** `POST /admin/keys` answers with the secret, once. */
export interface CreatedKey extends KeyView {
  key: string;
}

export type SeriesGroupBy = "model" | "session_id" | "key";

export interface SeriesPoint {
  start: string;
  model?: string | null;
  session_id?: string | null;
  key_id?: string | null;
  requests: number;
  errors: number;
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  cost_usd: number;
}

export interface UsageSeries {
  object: "usage_series";
  since: string;
  until: string;
  bucket_seconds: number;
  group_by: SeriesGroupBy | null;
  data: SeriesPoint[];
}

export interface RecentRequest {
  id: number;
  request_id: string;
  key_id: string;
  provider: string | null;
  model: string | null;
  session_id: string | null;
  stream: boolean;
  status: number;
  error_code: string | null;
  latency_ms: number;
  ttft_ms: number | null;
  prompt_tokens: number;
  completion_tokens: number;
  cost_usd: number | null;
  created_at: string;
  /** The deployment that answered (or was tried last); null when no upstream call was made. */
  deployment: string | null;
  attempts: number;
  attempt_log: { attempt: number; deployment: string; outcome: string; status: number; ms: number }[] | null;
  cache_hit: boolean;
}

export interface RecentRequests {
  data: RecentRequest[];
  next_before: number | null;
}

export interface ProviderHealth {
  provider: string;
  format: string | null;
  configured: boolean;
  status: "ok" | "degraded" | "down" | "idle";
  requests: number;
  failures: number;
  failure_rate: number;
  avg_latency_ms: number | null;
  last_request_at: string | null;
  last_success_at: string | null;
  last_failure_at: string | null;
}

export interface ProviderHealthList {
  window_seconds: number;
  data: ProviderHealth[];
}

/** The gateway's error envelope. */
export interface ErrorEnvelope {
  error: { code: string; message: string; details?: Array<{ loc: (string | number)[]; msg: string }> };
  request_id?: string;
}
