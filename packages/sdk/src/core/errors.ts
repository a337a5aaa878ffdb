/**
 * The SDK's single error type. Every failure a call can produce — an error envelope from the gateway,
 * an in-band stream error frame, a network failure, a timeout, an abort — is a `MeshAPIApiError`
 * with a stable `errorCode`, so callers branch on one field instead of on error classes.
 */

/** One entry of a validation error's `details` (the gateway's `[{type, loc, msg}]`). */
export interface ErrorDetail {
  type: string;
  /** Path of the offending value, e.g. `["body", "messages", 0, "content"]`. */
  loc: Array<string | number>;
  msg: string;
}

/**
 * Codes produced by the SDK itself, never by the gateway. `status` is `0` for all of them except
 * `parse_error` on an HTTP error response, which keeps that response's status.
 */
export type ClientErrorCode =
  | "connection_error"
  | "timeout"
  | "stream_interrupted"
  | "parse_error"
  | "aborted";

/** Codes the gateway documents; any other string may appear too (e.g. from a newer gateway). */
export type GatewayErrorCode =
  | "invalid_request"
  | "unauthorized"
  | "spend_limit_exceeded"
  | "forbidden"
  | "not_found"
  | "model_not_found"
  | "payload_too_large"
  | "unsupported_media_type"
  | "validation_error"
  | "rate_limit_exceeded"
  | "upstream_error"
  | "gateway_timeout"
  | "internal_error"
  | "service_unavailable";

// `string & {}` keeps editor completion for the known codes while accepting any string.
export type ErrorCode = ClientErrorCode | GatewayErrorCode | (string & {});

export interface MeshAPIApiErrorInit {
  status: number;
  errorCode: ErrorCode;
  message: string;
  type?: string | undefined;
  param?: string | null | undefined;
  requestId?: string | undefined;
  details?: ErrorDetail[] | undefined;
  providerError?: unknown;
  retryAfterSeconds?: number | undefined;
  headers?: Headers | undefined;
  cause?: unknown;
}

// Brands live on a registry symbol so an error created by one loaded copy of the package (say the
// CommonJS build) is recognised by `instanceof` in another copy (say the ESM build).
const BRANDS = Symbol.for("meshapi-node-sdk.error.brands");

type Branded = { [BRANDS]?: unknown };

/**
 * An error from a MeshAPI call.
 *
 * @example
 * try {
 *   await client.chat.completions.create({ model: "openai/gpt-4o-mini", messages });
 * } catch (err) {
 *   if (err instanceof MeshAPIApiError && err.errorCode === "rate_limit_exceeded") {
 *     console.log(`retry in ${err.retryAfterSeconds}s (request ${err.requestId})`);
 *   }
 * }
 */
export class MeshAPIApiError extends Error {
  /** Tag checked by `instanceof`; each subclass declares its own. */
  protected static readonly brand: string = "MeshAPIApiError";

  /** HTTP status, or `0` when no HTTP error response exists (network, timeout, abort, mid-stream). */
  readonly status: number;
  /** Stable machine-readable code: the gateway's `error.code` or one of {@link ClientErrorCode}. */
  readonly errorCode: ErrorCode;
  /** The gateway's `error.type`, when it sent one. */
  readonly type: string | undefined;
  readonly param: string | null | undefined;
  /** `req_<ULID>` from the error body or the `x-request-id` header; quote it when reporting issues. */
  readonly requestId: string | undefined;
  /** Validation problems (`validation_error`), otherwise empty. */
  readonly details: ErrorDetail[];
  /** The upstream provider's own error, passed through by the gateway for `upstream_error`. */
  readonly providerError: unknown;
  /** How long the gateway asked to wait before retrying (429, sometimes 503). */
  readonly retryAfterSeconds: number | undefined;
  /** Response headers of the failed HTTP response, when there was one. */
  readonly headers: Headers | undefined;

  constructor(init: MeshAPIApiErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = "MeshAPIApiError";
    this.status = init.status;
    this.errorCode = init.errorCode;
    this.type = init.type;
    this.param = init.param;
    this.requestId = init.requestId;
    this.details = init.details ?? [];
    this.providerError = init.providerError;
    this.retryAfterSeconds = init.retryAfterSeconds;
    this.headers = init.headers;
    Object.defineProperty(this, BRANDS, { value: brandsOf(new.target), enumerable: false });
  }

  /**
   * Cross-copy `instanceof`: true for any error whose class chain (in whichever copy of the package
   * created it) contains this class's brand.
   */
  static override [Symbol.hasInstance]<C extends abstract new (...args: never[]) => unknown>(
    this: C,
    value: unknown,
  ): value is InstanceType<C> {
    if (typeof value !== "object" || value === null) return false;
    const brands = (value as Branded)[BRANDS];
    // biome-ignore lint/complexity/noThisInStatic: `this` is the class on the right of `instanceof`, possibly a subclass.
    const own = (this as unknown as { brand?: unknown }).brand;
    return Array.isArray(brands) && typeof own === "string" && brands.includes(own);
  }

  /** Plain-object form for structured logs (the `Error` fields are not enumerable). */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      message: this.message,
      status: this.status,
      errorCode: this.errorCode,
      type: this.type,
      param: this.param,
      requestId: this.requestId,
      details: this.details,
      providerError: this.providerError,
      retryAfterSeconds: this.retryAfterSeconds,
    };
  }
}

/**
 * Thrown when a call is cancelled through an `AbortSignal`, `stream.abort()` or `stream.controller`.
 * Its `name` is `"AbortError"`, like the platform's own abort errors, so the usual
 * `err.name === "AbortError"` check works; it is still a `MeshAPIApiError` (`errorCode: "aborted"`).
 */
export class MeshAPIAbortError extends MeshAPIApiError {
  protected static override readonly brand: string = "MeshAPIAbortError";

  constructor(message = "The request was aborted.", cause?: unknown) {
    super({ status: 0, errorCode: "aborted", message, cause });
    this.name = "AbortError";
  }
}

function brandsOf(ctor: unknown): string[] {
  const brands: string[] = [];
  let current = ctor;
  while (typeof current === "function" && Object.hasOwn(current, "brand")) {
    brands.push((current as unknown as { brand: string }).brand);
    current = Object.getPrototypeOf(current);
  }
  return brands;
}

/** A network-level failure: DNS, refused or reset connection, TLS, a body that failed to download. */
export function connectionError(cause: unknown, requestId?: string): MeshAPIApiError {
  const reason = cause instanceof Error && cause.message ? `: ${describeCause(cause)}` : "";
  return new MeshAPIApiError({
    status: 0,
    errorCode: "connection_error",
    message: `Connection error${reason}`,
    requestId,
    cause,
  });
}

export function timeoutError(timeoutMs: number, streaming: boolean): MeshAPIApiError {
  const what = streaming ? "the first byte of the stream" : "the response";
  return new MeshAPIApiError({
    status: 0,
    errorCode: "timeout",
    message: `Timed out after ${timeoutMs} ms waiting for ${what}.`,
  });
}

export function streamInterruptedError(detail: string, requestId?: string, cause?: unknown): MeshAPIApiError {
  return new MeshAPIApiError({
    status: 0,
    errorCode: "stream_interrupted",
    message: `The stream was interrupted before it finished: ${detail}`,
    requestId,
    cause,
  });
}

export function parseError(
  status: number,
  what: string,
  text: string,
  requestId?: string,
  cause?: unknown,
): MeshAPIApiError {
  return new MeshAPIApiError({
    status,
    errorCode: "parse_error",
    message: `Could not parse ${what}: ${JSON.stringify(text.slice(0, 200))}`,
    requestId,
    cause,
  });
}

// undici wraps the interesting part ("ECONNREFUSED", "other side closed") in `cause`.
function describeCause(err: Error): string {
  const inner = err.cause;
  if (inner instanceof Error && inner.message && inner.message !== err.message) {
    return `${err.message} (${inner.message})`;
  }
  return err.message;
}
