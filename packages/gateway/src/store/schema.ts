import type { Generated } from "kysely";

/** Table shapes as Kysely sees them. Times are Unix milliseconds in a 64-bit integer column. */
export interface Database {
  api_keys: {
    id: string;
    name: string;
    key_hash: string;
    display_prefix: string;
    status: string;
    created_at: number | string;
    updated_at: number | string;
    deleted_at: number | string | null;
    rpm: number | null;
    rpd: number | null;
    tpm: number | null;
    max_concurrent: number | null;
    spend_cap_usd: number | null;
    spend_period: string;
    /** JSON array of model patterns; NULL allows every model. */
    allowed_models: string | null;
    cache_ttl_seconds: number | null;
    cache_namespace: string | null;
  };
  templates: {
    id: string;
    owner_key_id: string;
    name: string;
    description: string | null;
    system: string | null;
    /** JSON text. */
    messages: string;
    model: string | null;
    /** JSON text. */
    params: string;
    /** JSON text. */
    variables: string;
    created_at: number | string;
    updated_at: number | string;
  };
  usage_events: {
    id: Generated<number>;
    request_id: string;
    key_id: string;
    provider: string | null;
    model: string | null;
    session_id: string | null;
    end_user: string | null;
    stream: number;
    prompt_tokens: number;
    completion_tokens: number;
    cached_tokens: number;
    reasoning_tokens: number;
    cost_usd: number | null;
    estimated: number;
    latency_ms: number;
    ttft_ms: number | null;
    status: number;
    error_code: string | null;
    created_at: number | string;
    deployment: string | null;
    attempts: number;
    attempt_log: string | null;
    cache_hit: Generated<number>;
  };
}
