import type { IncomingHttpHeaders } from "node:http";
import type { ProviderConfig } from "../../config/config.js";
import { GatewayError } from "../../errors/catalog.js";
import { parseErrorBody, upstreamStatusError, vendorMessage } from "../upstream-status.js";

type Obj = Record<string, unknown>;

/**
 * Google API errors → the envelope (reference §3.4), on top of the shared rules: a key Google refuses
 * (HTTP 400 with reason API_KEY_INVALID) is the gateway's credential problem, so a 502 like any refused
 * credential; a RESOURCE_EXHAUSTED without a Retry-After header takes the delay from its RetryInfo detail.
 */
export function geminiStatusError(
  provider: ProviderConfig,
  status: number,
  headers: IncomingHttpHeaders,
  bodyText: string,
): GatewayError {
  const body = parseErrorBody(bodyText);
  if (status === 400 && reasons(body).includes("API_KEY_INVALID")) {
    const detail = vendorMessage(body);
    return new GatewayError(
      "upstream_error",
      `${provider.name} refused the gateway's credentials (HTTP 400); check ${provider.apiKeyEnv}${detail ? `: ${detail}` : ""}`,
      { status: 502, providerError: body },
    );
  }
  const mapped = upstreamStatusError(provider, status, headers, bodyText);
  if (status === 429 && mapped.retryAfterSeconds === undefined) {
    const delay = retryDelaySeconds(body);
    if (delay !== undefined) {
      return new GatewayError(mapped.code, mapped.message, {
        status: mapped.status,
        providerError: mapped.providerError,
        retryAfterSeconds: delay,
      });
    }
  }
  return mapped;
}

function details(body: unknown): Obj[] {
  const error =
    body !== null && typeof body === "object" ? (body as { error?: { details?: unknown } }).error : undefined;
  return Array.isArray(error?.details) ? (error.details as Obj[]) : [];
}

function reasons(body: unknown): string[] {
  return details(body)
    .map((d) => d.reason)
    .filter((r): r is string => typeof r === "string");
}

/** `google.rpc.RetryInfo.retryDelay`, e.g. "12s" or "0.5s", in whole seconds (rounded up). */
export function retryDelaySeconds(body: unknown): number | undefined {
  for (const detail of details(body)) {
    if (typeof detail["@type"] !== "string" || !detail["@type"].endsWith("google.rpc.RetryInfo")) continue;
    const match = /^(\d+(?:\.\d+)?)s$/.exec(String(detail.retryDelay ?? ""));
    if (match) return Math.ceil(Number(match[1]));
  }
  return undefined;
}
