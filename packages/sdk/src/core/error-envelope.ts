import { type ErrorDetail, MeshAPIApiError, parseError } from "./errors.js";
import { parseRetryAfterMs } from "./retries.js";

/**
 * Turns gateway error bodies — `{"error":{code,message,type,param?,details?,provider_error?,
 * retry_after_seconds?},"request_id"}` — into `MeshAPIApiError`s, both for HTTP error responses
 * and for in-band stream error frames.
 */

interface ErrorBody {
  code?: unknown;
  message?: unknown;
  type?: unknown;
  param?: unknown;
  details?: unknown;
  provider_error?: unknown;
  retry_after_seconds?: unknown;
}

/** Codes for statuses whose body carried no usable `error.code` (e.g. a proxy in front of the gateway). */
const CODE_BY_STATUS: Record<number, string> = {
  400: "invalid_request",
  401: "unauthorized",
  402: "spend_limit_exceeded",
  403: "forbidden",
  404: "not_found",
  413: "payload_too_large",
  415: "unsupported_media_type",
  422: "validation_error",
  429: "rate_limit_exceeded",
  500: "internal_error",
  502: "upstream_error",
  503: "service_unavailable",
  504: "gateway_timeout",
};

export function errorFromResponse(status: number, headers: Headers, text: string): MeshAPIApiError {
  const headerRequestId = headers.get("x-request-id") ?? undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    return parseError(status, `the HTTP ${status} error body`, text, headerRequestId, cause);
  }
  const envelope = asRecord(parsed);
  const body = asRecord(envelope?.error) as ErrorBody | undefined;
  const headerRetryMs = parseRetryAfterMs(headers);
  return buildError({
    status,
    body,
    fallbackMessage: typeof envelope?.error === "string" ? envelope.error : `HTTP ${status}`,
    requestId: stringOr(envelope?.request_id, headerRequestId),
    headerRetryAfterSeconds: headerRetryMs === undefined ? undefined : headerRetryMs / 1000,
    headers,
  });
}

/**
 * Error frame inside a stream (`data: {"error":{...},"request_id":"req_..."}`). There is no HTTP
 * error status at that point — the response started as 200 — so `status` is 0.
 */
export function errorFromStreamFrame(
  frame: Record<string, unknown>,
  headerRequestId?: string,
): MeshAPIApiError {
  const body = asRecord(frame.error) as ErrorBody | undefined;
  return buildError({
    status: 0,
    body,
    fallbackMessage: typeof frame.error === "string" ? frame.error : "The stream reported an error.",
    requestId: stringOr(frame.request_id, headerRequestId),
    headerRetryAfterSeconds: undefined,
    headers: undefined,
  });
}

interface BuildInput {
  status: number;
  body: ErrorBody | undefined;
  fallbackMessage: string;
  requestId: string | undefined;
  headerRetryAfterSeconds: number | undefined;
  headers: Headers | undefined;
}

function buildError(input: BuildInput): MeshAPIApiError {
  const { status, body } = input;
  const code =
    nonEmptyString(body?.code) ?? CODE_BY_STATUS[status] ?? (status === 0 ? "stream_error" : "http_error");
  const retryAfter =
    typeof body?.retry_after_seconds === "number" && Number.isFinite(body.retry_after_seconds)
      ? body.retry_after_seconds
      : input.headerRetryAfterSeconds;
  return new MeshAPIApiError({
    status,
    errorCode: code,
    message: nonEmptyString(body?.message) ?? input.fallbackMessage,
    type: nonEmptyString(body?.type),
    param: typeof body?.param === "string" || body?.param === null ? body.param : undefined,
    requestId: input.requestId,
    details: parseDetails(body?.details),
    providerError: body?.provider_error,
    retryAfterSeconds: retryAfter,
    headers: input.headers,
  });
}

function parseDetails(value: unknown): ErrorDetail[] {
  if (!Array.isArray(value)) return [];
  const details: ErrorDetail[] = [];
  for (const item of value) {
    const entry = asRecord(item);
    if (!entry) continue;
    details.push({
      type: typeof entry.type === "string" ? entry.type : "",
      loc: Array.isArray(entry.loc)
        ? entry.loc.filter((p): p is string | number => typeof p === "string" || typeof p === "number")
        : [],
      msg: typeof entry.msg === "string" ? entry.msg : "",
    });
  }
  return details;
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === "string" && value.length > 0 ? value : undefined;
}

function stringOr(value: unknown, fallback: string | undefined): string | undefined {
  return nonEmptyString(value) ?? fallback;
}
