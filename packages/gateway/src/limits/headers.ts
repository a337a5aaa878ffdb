import type { RateInfo } from "./types.js";

/** A reset time as OpenAI writes it in `x-ratelimit-reset-*`: "12s", "250ms". */
export function formatReset(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.ceil(ms))}ms`;
  return `${Math.ceil(ms / 1000)}s`;
}

/** The `x-ratelimit-*` headers for a key's standing; only the limits that are set appear. */
export function rateLimitHeaders(info: RateInfo): Record<string, string> {
  const headers: Record<string, string> = {};
  if (info.limitRequests !== undefined) {
    headers["x-ratelimit-limit-requests"] = String(info.limitRequests);
    headers["x-ratelimit-remaining-requests"] = String(info.remainingRequests ?? 0);
    headers["x-ratelimit-reset-requests"] = formatReset(info.resetRequestsMs ?? 0);
  }
  if (info.limitTokens !== undefined) {
    headers["x-ratelimit-limit-tokens"] = String(info.limitTokens);
    headers["x-ratelimit-remaining-tokens"] = String(info.remainingTokens ?? 0);
    headers["x-ratelimit-reset-tokens"] = formatReset(info.resetTokensMs ?? 0);
  }
  return headers;
}
