import type { FastifyError } from "fastify";
import { type ErrorCode, GatewayError } from "../errors/catalog.js";
import { isAbort } from "../providers/upstream-http.js";

/** The message of a 413, whichever front (Fastify or the chat lane) measured the body. */
export const PAYLOAD_TOO_LARGE =
  "The request body is larger than the gateway accepts (MESHAPI_BODY_LIMIT_BYTES).";

/** Fastify's own request errors, mapped to the catalog. */
const FASTIFY_CODES: Readonly<Record<string, ErrorCode>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: "payload_too_large",
  FST_ERR_CTP_INVALID_MEDIA_TYPE: "unsupported_media_type",
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: "invalid_request",
  FST_ERR_CTP_EMPTY_JSON_BODY: "invalid_request",
  FST_ERR_CTP_INVALID_JSON_BODY: "invalid_request",
};

const STATUS_CODES: Readonly<Record<number, ErrorCode>> = {
  400: "invalid_request",
  401: "unauthorized",
  403: "forbidden",
  404: "not_found",
  405: "method_not_allowed",
  413: "payload_too_large",
  415: "unsupported_media_type",
};

/** Any thrown value → a GatewayError; `bug` is true when it was not an expected, client-facing error. */
export function normalizeError(err: unknown): { error: GatewayError; bug: boolean } {
  if (err instanceof GatewayError) return { error: err, bug: false };
  const fe = err as Partial<FastifyError> & { type?: string };
  const mapped = (fe.code && FASTIFY_CODES[fe.code]) || undefined;
  if (mapped) return { error: new GatewayError(mapped, describe(mapped, fe.message)), bug: false };
  if (err instanceof SyntaxError || (fe.statusCode === 400 && fe.message)) {
    return { error: new GatewayError("invalid_request", `Malformed JSON body: ${fe.message}`), bug: false };
  }
  if (typeof fe.statusCode === "number" && fe.statusCode >= 400 && fe.statusCode < 500) {
    const code = STATUS_CODES[fe.statusCode] ?? "invalid_request";
    return { error: new GatewayError(code, fe.message ?? "Bad request."), bug: false };
  }
  if (isAbort(err))
    return { error: new GatewayError("invalid_request", "The request was aborted."), bug: false };
  return {
    error: new GatewayError("internal_error", "The gateway failed to handle this request.", { cause: err }),
    bug: true,
  };
}

function describe(code: ErrorCode, message: string | undefined): string {
  switch (code) {
    case "payload_too_large":
      return PAYLOAD_TOO_LARGE;
    case "unsupported_media_type":
      return "Send the body as JSON with Content-Type: application/json.";
    default:
      return message ?? "Bad request.";
  }
}
