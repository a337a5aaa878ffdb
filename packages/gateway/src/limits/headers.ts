import type { RateInfo } from "./types.js";

/** A reset time as OpenAI writes it in `x-ratelimit-reset-*`: "12s", "250ms". */
export function formatReset(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.ceil(ms))}ms`;
  return `${Math.ceil(ms / 1000)}s`;
}

/**
 * Hands each `x-ratelimit-*` header for a key's standing to `set`; only the limits that are set
 * appear. Every admitted request of a limited key goes through here, hence no intermediate object.
 */
export function writeRateLimitHeaders(info: RateInfo, set: (name: string, value: string) => void): void {
  if (info.limitRequests !== undefined) {
    set("x-ratelimit-limit-requests", String(info.limitRequests));
    set("x-ratelimit-remaining-requests", String(info.remainingRequests ?? 0));
    set("x-ratelimit-reset-requests", formatReset(info.resetRequestsMs ?? 0));
  }
  if (info.limitTokens !== undefined) {
    set("x-ratelimit-limit-tokens", String(info.limitTokens));
    set("x-ratelimit-remaining-tokens", String(info.remainingTokens ?? 0));
    set("x-ratelimit-reset-tokens", formatReset(info.resetTokensMs ?? 0));
  }
}
