/** Anthropic error bodies: `{"type":"error","error":{"type","message"},"request_id"}` (reference §2.6). */
import type { Exchange } from "../exchange.js";
import { newId } from "../ids.js";

const TYPES: Record<number, string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  402: "billing_error",
  403: "permission_error",
  404: "not_found_error",
  413: "request_too_large",
  429: "rate_limit_error",
  500: "api_error",
  504: "timeout_error",
  529: "overloaded_error",
};

/** The vendor's error type for a status (unlisted 4xx → invalid_request_error, 5xx → api_error). */
export function anthropicErrorType(status: number): string {
  // A status below 400 only comes with `error_body` (an error in a 200): a server error's type.
  return TYPES[status] ?? (status >= 500 || status < 400 ? "api_error" : "invalid_request_error");
}

export function anthropicRequestId(): string {
  return newId("req_");
}

export function sendAnthropicError(ex: Exchange, status: number, message: string, retryAfter?: number): void {
  const requestId = anthropicRequestId();
  const headers: Record<string, string> = { "request-id": requestId };
  if (retryAfter !== undefined) headers["retry-after"] = String(retryAfter);
  ex.json(
    status,
    { type: "error", error: { type: anthropicErrorType(status), message }, request_id: requestId },
    headers,
  );
}
