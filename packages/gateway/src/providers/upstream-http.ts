import { Agent, type Dispatcher, request, errors as undiciErrors } from "undici";
import type { ProviderConfig } from "../config/config.js";
import { GatewayError } from "../errors/catalog.js";
import type { Cancellation } from "./cancellation.js";

export interface UpstreamResponse {
  statusCode: number;
  headers: Dispatcher.ResponseData["headers"];
  body: Dispatcher.ResponseData["body"];
}

/**
 * Keep-alive connection pools, one undici Agent per provider so each gets its own connect timeout.
 * Undici's defaults (300 s for headers and body) would hang a request silently; every timeout here
 * comes from config.
 */
export class UpstreamHttp {
  private readonly agents = new Map<string, Agent>();

  async post(
    provider: ProviderConfig,
    url: string,
    headers: Record<string, string>,
    body: string,
    signal: Cancellation,
  ): Promise<UpstreamResponse> {
    try {
      const res = await request(url, {
        method: "POST",
        headers,
        body,
        signal,
        dispatcher: this.agentFor(provider),
        headersTimeout: provider.timeouts.firstByteMs,
        bodyTimeout: provider.timeouts.idleMs,
      });
      return res;
    } catch (err) {
      throw toGatewayError(err, provider);
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.agents.values()].map((a) => a.close()));
    this.agents.clear();
  }

  private agentFor(provider: ProviderConfig): Agent {
    let agent = this.agents.get(provider.name);
    if (!agent) {
      agent = new Agent({
        connect: { timeout: provider.timeouts.connectMs },
        keepAliveTimeout: 30_000,
        keepAliveMaxTimeout: 600_000,
        headersTimeout: provider.timeouts.firstByteMs,
        bodyTimeout: provider.timeouts.idleMs,
      });
      this.agents.set(provider.name, agent);
    }
    return agent;
  }
}

/** True when the error is the client's own abort, which is not an upstream failure. */
export function isAbort(err: unknown): boolean {
  return (
    err instanceof Error &&
    (err.name === "AbortError" || (err as { code?: string }).code === "UND_ERR_ABORTED")
  );
}

/** Maps transport failures (timeouts, refused or dropped connections) to the error catalog. */
export function toGatewayError(err: unknown, provider: ProviderConfig): unknown {
  if (err instanceof GatewayError || isAbort(err)) return err;
  const name = provider.name;
  if (err instanceof undiciErrors.ConnectTimeoutError) {
    return new GatewayError(
      "gateway_timeout",
      `Could not connect to ${name} within ${provider.timeouts.connectMs} ms.`,
    );
  }
  if (err instanceof undiciErrors.HeadersTimeoutError) {
    return new GatewayError(
      "gateway_timeout",
      `${name} did not answer within ${provider.timeouts.firstByteMs} ms.`,
    );
  }
  if (err instanceof undiciErrors.BodyTimeoutError) {
    return new GatewayError("gateway_timeout", `${name} sent nothing for ${provider.timeouts.idleMs} ms.`);
  }
  const code = (err as { code?: string }).code ?? (err as { cause?: { code?: string } }).cause?.code;
  return new GatewayError("upstream_error", `Could not reach ${name}${code ? ` (${code})` : ""}.`, {
    cause: err,
  });
}
