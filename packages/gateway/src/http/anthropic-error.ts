import { type ErrorEnvelope, type GatewayError, toEnvelope } from "../errors/catalog.js";

/** Anthropic's error `type` for an HTTP status (its errors page), so the official SDKs map them to their classes. */
function anthropicType(status: number): string {
  if (status === 401) return "authentication_error";
  if (status === 402) return "billing_error";
  if (status === 403) return "permission_error";
  if (status === 404) return "not_found_error";
  if (status === 413) return "request_too_large";
  if (status === 429) return "rate_limit_error";
  if (status === 504) return "timeout_error";
  if (status === 529) return "overloaded_error";
  if (status >= 400 && status < 500) return "invalid_request_error";
  return "api_error";
}

/**
 * MeshAPI's error in Anthropic's envelope, `{"type":"error","error":{"type","message",…},"request_id"}`,
 * for `/v1/messages`: Anthropic's `type` names the class, and MeshAPI's own fields (`code`, `param`,
 * `details`, `provider_error`, `retry_after_seconds`) ride along inside `error`.
 */
export function toAnthropicEnvelope(err: GatewayError, requestId: string): Record<string, unknown> {
  const mesh: ErrorEnvelope = toEnvelope(err, requestId);
  return {
    type: "error",
    error: { ...mesh.error, type: anthropicType(err.status) },
    request_id: requestId,
  };
}
