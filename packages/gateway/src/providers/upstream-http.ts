import type { IncomingHttpHeaders } from "node:http";
import { type Dispatcher, Pool, errors as undiciErrors } from "undici";
import type { ProviderConfig } from "../config/config.js";
import { GatewayError } from "../errors/catalog.js";
import type { Cancellation } from "./cancellation.js";

/** A non-streaming answer, read whole. */
export interface BufferedResponse {
  statusCode: number;
  headers: IncomingHttpHeaders;
  text: string;
}

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

  /**
   * POSTs and hands back the response with its body as a stream (for event streams). The body is
   * destroyed with a gateway_timeout once the call has run for `timeouts.totalMs`, however steadily
   * bytes arrive: the pool's idle timer alone never ends an upstream that drips.
   */
  async post(
    provider: ProviderConfig,
    url: string,
    headers: Record<string, string>,
    body: string,
    signal: Cancellation,
  ): Promise<UpstreamResponse> {
    const started = performance.now();
    let res: UpstreamResponse;
    try {
      const { pool, path } = this.route(provider, url);
      res = await pool.request({ path, method: "POST", headers, body, signal });
    } catch (err) {
      throw toGatewayError(err, provider);
    }
    const left = provider.timeouts.totalMs - (performance.now() - started);
    const timer = setTimeout(() => res.body.destroy(deadlineError(provider)), Math.max(0, left));
    res.body.once("close", () => clearTimeout(timer));
    return res;
  }

  /**
   * POSTs and reads the whole answer into a string, for non-streaming calls. It dispatches with a
   * handler that collects the chunks, instead of `request()`'s stream object and async resource per
   * response: about 16 µs less per call, measured in a bare proxy.
   */
  postBuffered(
    provider: ProviderConfig,
    url: string,
    headers: Record<string, string>,
    body: string,
    signal: Cancellation,
  ): Promise<BufferedResponse> {
    let route: { pool: Pool; path: string };
    try {
      route = this.route(provider, url);
    } catch (err) {
      return Promise.reject(toGatewayError(err, provider));
    }
    if (signal.aborted) return Promise.reject(new undiciErrors.RequestAbortedError());
    const maxBytes = provider.maxEventBytes;
    return new Promise<BufferedResponse>((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let statusCode = 0;
      let responseHeaders: IncomingHttpHeaders = {};
      let controller: Dispatcher.DispatchController | undefined;
      const onAbort = () => controller?.abort(new undiciErrors.RequestAbortedError());
      signal.once("abort", onAbort);
      // The whole call, body included; headers alone are bounded by the pool's headersTimeout.
      const deadline = setTimeout(
        () => controller?.abort(deadlineError(provider)),
        provider.timeouts.totalMs,
      );
      const settled = () => {
        signal.off("abort", onAbort);
        clearTimeout(deadline);
      };
      route.pool.dispatch(
        { path: route.path, method: "POST", headers, body },
        {
          onRequestStart(c) {
            controller = c;
            // A request queued in the pool starts later; a client gone meanwhile must still cancel it.
            if (signal.aborted) c.abort(new undiciErrors.RequestAbortedError());
          },
          onResponseStart(_c, status, h) {
            statusCode = status;
            responseHeaders = h;
          },
          onResponseData(c, chunk) {
            size += chunk.length;
            if (size > maxBytes) c.abort(tooLargeError(provider));
            else chunks.push(chunk);
          },
          onResponseEnd() {
            settled();
            const text = (chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)).toString(
              "utf8",
            );
            resolve({ statusCode, headers: responseHeaders, text });
          },
          onResponseError(_c, err) {
            settled();
            reject(toGatewayError(err, provider));
          },
        },
      );
    });
  }

  /** The pool and path for a URL: by path on the provider's own pool whenever the origin matches. */
  private route(provider: ProviderConfig, url: string): { pool: Pool; path: string } {
    const home = this.homeOf(provider);
    if (url.startsWith(home.origin) && url.charAt(home.origin.length) === "/") {
      return { pool: home.pool, path: url.slice(home.origin.length) };
    }
    const parsed = new URL(url);
    return { pool: this.poolElsewhere(provider, parsed.origin), path: parsed.pathname + parsed.search };
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
    headersTimeout: firstByteMs(provider),
    bodyTimeout: provider.timeouts.idleMs,
  });
}

/** The headers' deadline: `firstByteMs`, or the whole call's when that is shorter. */
function firstByteMs(provider: ProviderConfig): number {
  return Math.min(provider.timeouts.firstByteMs, provider.timeouts.totalMs);
}

/** The call ran past `timeouts.totalMs` (typically an upstream dripping bytes too slowly to finish). */
function deadlineError(provider: ProviderConfig): GatewayError {
  return new GatewayError(
    "gateway_timeout",
    `${provider.name} did not finish its answer within ${provider.timeouts.totalMs} ms.`,
  );
}

/** A non-streaming body past `maxEventBytes`: read no further, it is not an answer the gateway relays. */
export function tooLargeError(provider: ProviderConfig): GatewayError {
  return new GatewayError(
    "upstream_error",
    `${provider.name} sent a response larger than ${provider.maxEventBytes} bytes.`,
    { status: 502 },
  );
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
    return new GatewayError("gateway_timeout", `${name} did not answer within ${firstByteMs(provider)} ms.`);
  }
  if (err instanceof undiciErrors.BodyTimeoutError) {
    return new GatewayError("gateway_timeout", `${name} sent nothing for ${provider.timeouts.idleMs} ms.`);
  }
  const code = (err as { code?: string }).code ?? (err as { cause?: { code?: string } }).cause?.code;
  return new GatewayError("upstream_error", `Could not reach ${name}${code ? ` (${code})` : ""}.`, {
    cause: err,
  });
}
