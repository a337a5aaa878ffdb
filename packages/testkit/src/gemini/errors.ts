/** Google API errors: `{"error":{"code","message","status","details"?}}` (reference §3.4). */
import type { Exchange } from "../exchange.js";

const STATUSES: Record<number, string> = {
  400: "INVALID_ARGUMENT",
  401: "UNAUTHENTICATED",
  403: "PERMISSION_DENIED",
  404: "NOT_FOUND",
  409: "ABORTED",
  429: "RESOURCE_EXHAUSTED",
  499: "CANCELLED",
  500: "INTERNAL",
  501: "NOT_IMPLEMENTED",
  503: "UNAVAILABLE",
  504: "DEADLINE_EXCEEDED",
};

/** gRPC status name for an HTTP status (other 4xx → FAILED_PRECONDITION, 5xx → INTERNAL). */
export function googleStatus(status: number): string {
  // A status below 400 only comes with `error_body` (an error in a 200): a server error's status.
  return STATUSES[status] ?? (status >= 500 || status < 400 ? "INTERNAL" : "FAILED_PRECONDITION");
}

export function googleErrorBody(
  status: number,
  message: string,
  details?: unknown[],
): Record<string, unknown> {
  const error: Record<string, unknown> = { code: status, message, status: googleStatus(status) };
  if (details !== undefined) error.details = details;
  return { error };
}

/** `retryAfter` becomes a `Retry-After` header and a `RetryInfo` detail, as quota errors carry. */
export function sendGoogleError(ex: Exchange, status: number, message: string, retryAfter?: number): void {
  if (retryAfter === undefined) {
    ex.json(status, googleErrorBody(status, message));
    return;
  }
  const details = [{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: `${retryAfter}s` }];
  ex.json(status, googleErrorBody(status, message, details), { "retry-after": String(retryAfter) });
}
