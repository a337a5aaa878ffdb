/**
 * The one place where MeshAPI's error codes live. Every error the gateway returns is built from an
 * entry here, so the HTTP status, the OpenAI-style `type` and the documentation cannot drift apart.
 * A code, once published, is never reused for a different meaning; retire it instead.
 */
export const ERROR_CATALOG = {
  invalid_request: {
    status: 400,
    type: "invalid_request_error",
    doc: "Malformed JSON or an unusable request.",
  },
  unauthorized: { status: 401, type: "authentication_error", doc: "Missing, unknown or revoked API key." },
  spend_limit_exceeded: { status: 402, type: "billing_error", doc: "The key's spend cap is reached." },
  forbidden: { status: 403, type: "permission_error", doc: "The key is suspended or may not do this." },
  model_not_allowed: {
    status: 403,
    type: "permission_error",
    doc: "The key is limited to other models (its allowed_models); the message lists them.",
  },
  not_found: { status: 404, type: "not_found_error", doc: "No such route or resource." },
  model_not_found: {
    status: 404,
    type: "not_found_error",
    doc: "Unknown provider or model, or a provider without credentials.",
  },
  method_not_allowed: {
    status: 405,
    type: "invalid_request_error",
    doc: "The route exists with other methods.",
  },
  conflict: {
    status: 409,
    type: "invalid_request_error",
    doc: "The resource is in a state that forbids this.",
  },
  unsupported_feature: {
    status: 400,
    type: "invalid_request_error",
    doc: "The route or a parameter is not supported for this model's provider; docs/api.md lists what each route supports.",
  },
  payload_too_large: { status: 413, type: "invalid_request_error", doc: "The body is over the size limit." },
  unsupported_media_type: { status: 415, type: "invalid_request_error", doc: "The body is not JSON." },
  validation_error: {
    status: 422,
    type: "invalid_request_error",
    doc: "The body breaks the schema; see details.",
  },
  request_timeout: {
    status: 408,
    type: "invalid_request_error",
    doc: "The client took too long to send the request headers or body (MESHAPI_HEADERS_TIMEOUT_MS, MESHAPI_REQUEST_TIMEOUT_MS).",
  },
  headers_too_large: {
    status: 431,
    type: "invalid_request_error",
    doc: "The request headers are over the size or count limit (MESHAPI_MAX_HEADER_BYTES, MESHAPI_MAX_HEADERS_COUNT).",
  },
  rate_limit_exceeded: { status: 429, type: "rate_limit_error", doc: "A rate limit of the key is reached." },
  too_many_failed_auth: {
    status: 429,
    type: "rate_limit_error",
    doc: "Too many failed authentication attempts from this client address; wait for Retry-After.",
  },
  internal_error: {
    status: 500,
    type: "api_error",
    doc: "A bug in the gateway; the request id helps find it.",
  },
  upstream_error: {
    status: 502,
    type: "upstream_error",
    doc: "The provider failed. Its 4xx keeps its status, a 429 stays 429, anything else is 502.",
  },
  service_unavailable: { status: 503, type: "api_error", doc: "The gateway is shutting down or not ready." },
  gateway_timeout: { status: 504, type: "timeout_error", doc: "The provider did not answer in time." },
} as const satisfies Record<string, { status: number; type: string; doc: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOG;

/** One entry of `details` on a validation error, in the shape pydantic made familiar. */
export interface ErrorDetail {
  type: string;
  loc: (string | number)[];
  msg: string;
}

export interface GatewayErrorOptions {
  status?: number;
  param?: string | null;
  details?: ErrorDetail[];
  providerError?: unknown;
  retryAfterSeconds?: number;
  cause?: unknown;
}

/** An error the gateway means to return to the client, as opposed to a bug. */
export class GatewayError extends Error {
  override readonly name = "GatewayError";
  readonly code: ErrorCode;
  readonly status: number;
  readonly param: string | null | undefined;
  readonly details: ErrorDetail[] | undefined;
  readonly providerError: unknown;
  readonly retryAfterSeconds: number | undefined;

  constructor(code: ErrorCode, message: string, options: GatewayErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = options.status ?? ERROR_CATALOG[code].status;
    this.param = options.param;
    this.details = options.details;
    this.providerError = options.providerError;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

/** The JSON body of every error response and of in-band stream error frames. */
export interface ErrorEnvelope {
  error: {
    code: ErrorCode;
    message: string;
    type: string;
    param?: string | null;
    details?: ErrorDetail[];
    provider_error?: unknown;
    retry_after_seconds?: number;
  };
  request_id: string;
}

export function toEnvelope(err: GatewayError, requestId: string): ErrorEnvelope {
  const error: ErrorEnvelope["error"] = {
    code: err.code,
    message: err.message,
    type: ERROR_CATALOG[err.code].type,
  };
  if (err.param !== undefined) error.param = err.param;
  if (err.details !== undefined) error.details = err.details;
  if (err.providerError !== undefined) error.provider_error = err.providerError;
  if (err.retryAfterSeconds !== undefined) error.retry_after_seconds = err.retryAfterSeconds;
  return { error, request_id: requestId };
}
