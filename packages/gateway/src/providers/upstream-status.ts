import type { IncomingHttpHeaders } from "node:http";
import type { ProviderConfig } from "../config/config.js";
import { GatewayError } from "../errors/catalog.js";

const MAX_ERROR_BODY = 8 * 1024;

/** Seconds from `retry-after-ms`, `Retry-After` (seconds or an HTTP date); undefined when absent or bad. */
export function parseRetryAfter(headers: IncomingHttpHeaders, now = Date.now()): number | undefined {
  const ms = Number(headers["retry-after-ms"]);
  if (Number.isFinite(ms) && ms >= 0) return Math.ceil(ms / 1000);
  const raw = headers["retry-after"];
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
}

/** The vendor's error body as JSON when it is JSON, else its (truncated) text. */
export function parseErrorBody(text: string): unknown {
  const clipped = text.length > MAX_ERROR_BODY ? `${text.slice(0, MAX_ERROR_BODY)}…` : text;
  try {
    return JSON.parse(clipped);
  } catch {
    return clipped;
  }
}

/** Longest stretch of a plain-text error body that goes into a message. */
const MAX_TEXT_MESSAGE = 300;

/**
 * Finds a human message in the error shapes vendors use (nested OpenAI, flat Mistral/vLLM, Google).
 * A text body is clipped, and an HTML page (a proxy's or CDN's error page) is named by its title, so
 * markup never lands in a client's error message.
 */
export function vendorMessage(body: unknown): string | undefined {
  if (typeof body === "string") return textMessage(body);
  if (body === null || typeof body !== "object") return undefined;
  const b = body as { error?: unknown; message?: unknown };
  if (typeof b.error === "object" && b.error !== null) {
    const m = (b.error as { message?: unknown }).message;
    if (typeof m === "string") return m;
  }
  if (typeof b.error === "string") return b.error;
  return typeof b.message === "string" ? b.message : undefined;
}

function textMessage(text: string): string | undefined {
  const trimmed = text.trim();
  if (trimmed === "") return undefined;
  if (/^<(!doctype|html|head|body)\b/i.test(trimmed)) {
    const title = /<title[^>]*>([^<]*)<\/title>/i.exec(trimmed)?.[1]?.trim();
    return title ? `an HTML page titled "${title.slice(0, 120)}"` : "an HTML page";
  }
  return trimmed.length > MAX_TEXT_MESSAGE ? `${trimmed.slice(0, MAX_TEXT_MESSAGE)}…` : trimmed;
}

/**
 * Maps an upstream HTTP error to MeshAPI's envelope. A 4xx keeps its status (the request was bad for
 * that vendor) except 401/403: those mean the gateway's own provider credentials were refused, which is
 * not the client's fault, so they become 502. A 429 stays 429 with Retry-After passed on; 5xx become 502.
 */
export function upstreamStatusError(
  provider: ProviderConfig,
  statusCode: number,
  headers: IncomingHttpHeaders,
  bodyText: string,
): GatewayError {
  const providerError = parseErrorBody(bodyText);
  const detail = vendorMessage(providerError);
  const said = detail ? `: ${detail}` : "";
  if (statusCode === 429) {
    const retryAfterSeconds = parseRetryAfter(headers);
    return new GatewayError(
      "upstream_error",
      `${provider.name} is rate limiting requests (HTTP 429)${said}`,
      {
        status: 429,
        providerError,
        ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
      },
    );
  }
  if (statusCode === 401 || statusCode === 403) {
    return new GatewayError(
      "upstream_error",
      `${provider.name} refused the gateway's credentials (HTTP ${statusCode}); check ${provider.apiKeyEnv}${said}`,
      { status: 502, providerError },
    );
  }
  if (statusCode >= 400 && statusCode < 500) {
    return new GatewayError(
      "upstream_error",
      `${provider.name} rejected the request (HTTP ${statusCode})${said}`,
      {
        status: statusCode,
        providerError,
      },
    );
  }
  return new GatewayError("upstream_error", `${provider.name} failed (HTTP ${statusCode})${said}`, {
    status: 502,
    providerError,
  });
}

/** Whether another route (a `models` fallback) may be tried after this failure. */
export function isRetryableUpstreamError(err: unknown): boolean {
  if (!(err instanceof GatewayError)) return false;
  if (err.code === "gateway_timeout") return true;
  return err.code === "upstream_error" && (err.status >= 500 || err.status === 429 || err.status === 408);
}
