/**
 * Client configuration: the options users pass, their defaults, and their validation. Everything a
 * request needs is resolved once, at construction, so a misconfigured client fails immediately with
 * a message that says what to fix — not later, on the first call.
 */

/** A `fetch`-compatible function (the global one, undici's, a test double, a tracing wrapper). */
export type Fetch = (url: string, init: RequestInit) => Promise<Response>;

/** Header values; `null` removes a header set at a lower level (SDK defaults < client < call). */
export type HeadersInput = Record<string, string | null | undefined>;

export interface ClientOptions {
  /**
   * Origin of the gateway, optionally with a path prefix, without `/v1`: `https://api.example.com`.
   * Defaults to the `MESHAPI_BASE_URL` environment variable.
   */
  baseUrl?: string | undefined;
  /** A MeshAPI key, `rsk_…`. Defaults to the `MESHAPI_TOKEN` environment variable. */
  token?: string | undefined;
  /**
   * Per attempt: the whole request for ordinary calls, the time to the first byte for streams.
   * Default 60 000 ms. `Infinity` disables it.
   */
  timeoutMs?: number | undefined;
  /** Retries after the first attempt for transient failures. Default 2; `0` disables retries. */
  maxRetries?: number | undefined;
  /** Custom `fetch`; defaults to `globalThis.fetch` at call time. */
  fetch?: Fetch | undefined;
  /** Aborting this signal cancels every call the client has in flight. */
  signal?: AbortSignal | undefined;
  /** Sent with every request. */
  defaultHeaders?: HeadersInput | undefined;
}

/** Per-call overrides, the second argument of every method. */
export interface RequestOptions {
  /** Cancels this call (and closes its stream); rejects / throws an error named `AbortError`. */
  signal?: AbortSignal | undefined;
  timeoutMs?: number | undefined;
  maxRetries?: number | undefined;
  headers?: HeadersInput | undefined;
}

export interface ResolvedConfig {
  baseUrl: string;
  token: string;
  timeoutMs: number;
  maxRetries: number;
  fetch: Fetch | undefined;
  signal: AbortSignal | undefined;
  defaultHeaders: HeadersInput;
}

export const DEFAULT_TIMEOUT_MS = 60_000;
export const DEFAULT_MAX_RETRIES = 2;

export function resolveConfig(options: ClientOptions): ResolvedConfig {
  const baseUrl = options.baseUrl ?? readEnv("MESHAPI_BASE_URL");
  if (!baseUrl) {
    throw new TypeError(
      "meshapi-node-sdk: no baseUrl. Pass `new MeshAPI({ baseUrl })` or set MESHAPI_BASE_URL " +
        '(e.g. "https://api.yourdomain.com").',
    );
  }
  const token = options.token ?? readEnv("MESHAPI_TOKEN");
  if (!token) {
    throw new TypeError(
      "meshapi-node-sdk: no token. Pass `new MeshAPI({ token })` or set MESHAPI_TOKEN (a MeshAPI key, rsk_…).",
    );
  }
  if (!options.fetch && typeof globalThis.fetch !== "function") {
    throw new TypeError(
      "meshapi-node-sdk: this runtime has no global fetch (Node.js >= 18 has one); pass `new MeshAPI({ fetch })`.",
    );
  }
  return {
    baseUrl: normalizeBaseUrl(baseUrl),
    token,
    timeoutMs: checkTimeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS, "timeoutMs"),
    maxRetries: checkRetries(options.maxRetries ?? DEFAULT_MAX_RETRIES, "maxRetries"),
    fetch: options.fetch,
    signal: options.signal,
    defaultHeaders: { ...options.defaultHeaders },
  };
}

export function normalizeBaseUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new TypeError(`meshapi-node-sdk: baseUrl ${JSON.stringify(raw)} is not an absolute URL.`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new TypeError(`meshapi-node-sdk: baseUrl must be http(s), got ${JSON.stringify(raw)}.`);
  }
  if (url.search || url.hash) {
    throw new TypeError(
      `meshapi-node-sdk: baseUrl must not carry a query or fragment, got ${JSON.stringify(raw)}.`,
    );
  }
  return url.href.replace(/\/+$/, "");
}

export function checkTimeout(value: number, name: string): number {
  if (typeof value !== "number" || Number.isNaN(value) || value <= 0) {
    throw new TypeError(`meshapi-node-sdk: ${name} must be a positive number of milliseconds, got ${value}.`);
  }
  return value;
}

export function checkRetries(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 0) {
    throw new TypeError(`meshapi-node-sdk: ${name} must be a non-negative integer, got ${value}.`);
  }
  return value;
}

/**
 * Environment variables where the runtime has them (Node, Bun, Deno's Node compatibility). Browsers
 * have no `process`; Deno without `--allow-env` throws on access — both simply mean "not set".
 */
function readEnv(name: string): string | undefined {
  try {
    const env = (globalThis as unknown as { process?: { env?: Record<string, string | undefined> } }).process
      ?.env;
    const value = env?.[name]?.trim();
    return value ? value : undefined;
  } catch {
    return undefined;
  }
}
