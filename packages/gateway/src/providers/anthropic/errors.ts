import type { IncomingHttpHeaders } from "node:http";
import type { ProviderConfig } from "../../config/config.js";
import { GatewayError } from "../../errors/catalog.js";
import { parseErrorBody, parseRetryAfter, upstreamStatusError, vendorMessage } from "../upstream-status.js";

/**
 * Anthropic HTTP errors → the envelope (reference §2.6). The shared rules apply (429 keeps its status
 * and Retry-After, refused credentials are a 502, other 4xx keep theirs, 5xx are 502) with one
 * addition: `overloaded_error` (HTTP 529) is a 503, so clients see "try again later" rather than a
 * broken gateway.
 */
export function anthropicStatusError(
  provider: ProviderConfig,
  status: number,
  headers: IncomingHttpHeaders,
  bodyText: string,
): GatewayError {
  const body = parseErrorBody(bodyText);
  if (status === 529 || errorType(body) === "overloaded_error") {
    const retryAfterSeconds = parseRetryAfter(headers);
    const detail = vendorMessage(body);
    return new GatewayError(
      "upstream_error",
      `${provider.name} is overloaded (HTTP ${status})${detail ? `: ${detail}` : ""}`,
      { status: 503, providerError: body, ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }) },
    );
  }
  return upstreamStatusError(provider, status, headers, bodyText);
}

function errorType(body: unknown): string | undefined {
  if (body === null || typeof body !== "object") return undefined;
  const error = (body as { error?: { type?: unknown } }).error;
  return typeof error?.type === "string" ? error.type : undefined;
}
