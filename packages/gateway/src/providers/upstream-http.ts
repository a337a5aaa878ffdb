import { type Dispatcher, Pool, errors as undiciErrors } from "undici";
import type { ProviderConfig } from "../config/config.js";
import { GatewayError } from "../errors/catalog.js";
import type { Cancellation } from "./cancellation.js";

export interface UpstreamResponse {
  statusCode: number;
  headers: Dispatcher.ResponseData["headers"];
  body: Dispatcher.ResponseData["body"];
}

/**
 * Keep-alive connection pools, one undici Pool per provider origin, with the provider's timeouts set
 * once on the pool. Undici's defaults (300 s for headers and body) would hang a request silently; every
 * timeout here comes from config. Calls to the provider's own base URL (all of them, in practice) go to
 * its pool by path: no URL parsing or origin lookup per request, which an Agent with a full URL costs.
 */
export class UpstreamHttp {
  /** By provider name: the pool for the origin of its base URL. */
  private readonly home = new Map<string, { origin: string; pool: Pool }>();
  /** By provider name and origin: pools for any other origin an adapter is handed. */
  private readonly elsewhere = new Map<string, Pool>();

  async post(
    provider: ProviderConfig,
    url: string,
    headers: Record<string, string>,
    body: string,
    signal: Cancellation,
  ): Promise<UpstreamResponse> {
    try {
      const home = this.homeOf(provider);
      let pool = home.pool;
      let path: string;
      if (url.startsWith(home.origin) && url.charAt(home.origin.length) === "/") {
        path = url.slice(home.origin.length);
      } else {
        const parsed = new URL(url);
        pool = this.poolElsewhere(provider, parsed.origin);
        path = parsed.pathname + parsed.search;
      }
      return await pool.request({ path, method: "POST", headers, body, signal });
    } catch (err) {
      throw toGatewayError(err, provider);
    }
  }

  async close(): Promise<void> {
    const pools = [...[...this.home.values()].map((h) => h.pool), ...this.elsewhere.values()];
    await Promise.all(pools.map((p) => p.close()));
    this.home.clear();
    this.elsewhere.clear();
  }

  private homeOf(provider: ProviderConfig): { origin: string; pool: Pool } {
    let home = this.home.get(provider.name);
    if (!home) {
      const origin = new URL(provider.baseUrl).origin;
      home = { origin, pool: newPool(origin, provider) };
      this.home.set(provider.name, home);
    }
    return home;
  }

  private poolElsewhere(provider: ProviderConfig, origin: string): Pool {
    const key = `${provider.name} ${origin}`;
    let pool = this.elsewhere.get(key);
    if (!pool) {
      pool = newPool(origin, provider);
      this.elsewhere.set(key, pool);
    }
    return pool;
  }
}

function newPool(origin: string, provider: ProviderConfig): Pool {
  return new Pool(origin, {
    connect: { timeout: provider.timeouts.connectMs },
    keepAliveTimeout: 30_000,
    keepAliveMaxTimeout: 600_000,
    headersTimeout: provider.timeouts.firstByteMs,
    bodyTimeout: provider.timeouts.idleMs,
  });
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
