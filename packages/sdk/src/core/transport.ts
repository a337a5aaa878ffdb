import { checkRetries, checkTimeout, type RequestOptions, type ResolvedConfig } from "./config.js";
import { errorFromResponse } from "./error-envelope.js";
import { connectionError, MeshAPIApiError, parseError, timeoutError } from "./errors.js";
import { buildHeaders } from "./headers.js";
import { isRetryableStatus, parseRetryAfterMs, retryDelayMs } from "./retries.js";
import { abortErrorFor, linkSignal, sleep } from "./signals.js";

/**
 * HTTP transport: one logical call = attempts with timeouts, separated by backoff, under one
 * `AbortController` that the caller's signals feed into. Success is decided inside the attempt
 * (the whole body for ordinary calls, the first body chunk for streams) so that everything before
 * the caller has seen any data can be retried.
 */

export interface RequestSpec {
  method: "GET" | "POST";
  /** Path below the base URL, starting with "/v1/". */
  path: string;
  body?: unknown;
  streaming: boolean;
  options: RequestOptions | undefined;
}

/** A stream whose response arrived with a 2xx status and whose first body chunk was read. */
export interface OpenedStream {
  response: Response;
  requestId: string | undefined;
  reader: ReadableStreamDefaultReader<Uint8Array>;
  first: Awaited<ReturnType<ReadableStreamDefaultReader<Uint8Array>["read"]>>;
  /** Stops forwarding the call's abort to this attempt; called when the stream ends. */
  unlink: () => void;
}

interface Call {
  url: string;
  init: { method: string; headers: Record<string, string>; body: string | undefined };
  fetch: ResolvedConfig["fetch"];
  streaming: boolean;
  timeoutMs: number;
  maxRetries: number;
  controller: AbortController;
}

type Outcome<R> =
  | { ok: true; value: R }
  | { ok: false; error: MeshAPIApiError; retryable: boolean; serverDelayMs: number | undefined };

/** `setTimeout` fires at once for delays above 2^31-1 ms, so those (and Infinity) mean "no timer". */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * Links the client's and the call's signals to a fresh controller for one call. The returned
 * `release` removes those listeners; it must run when the call ends, however it ends.
 */
export function beginCall(
  config: ResolvedConfig,
  options: RequestOptions | undefined,
  controller: AbortController = new AbortController(),
): { controller: AbortController; release: () => void } {
  const unlinkClient = linkSignal(config.signal, controller);
  const unlinkCall = linkSignal(options?.signal, controller);
  return {
    controller,
    release: () => {
      unlinkClient();
      unlinkCall();
    },
  };
}

/** Performs a non-streaming call and returns its parsed JSON body. */
export async function requestJSON<T>(config: ResolvedConfig, spec: RequestSpec): Promise<T> {
  const { controller, release } = beginCall(config, spec.options);
  try {
    const call = prepareCall(config, spec, controller);
    const { text, status, requestId } = await execute(call, async (response) => ({
      text: await response.text(),
      status: response.status,
      requestId: response.headers.get("x-request-id") ?? undefined,
    }));
    try {
      return JSON.parse(text) as T;
    } catch (cause) {
      throw parseError(status, "the response body as JSON", text, requestId, cause);
    }
  } finally {
    release();
  }
}

/** Sends a streaming call under `controller` and resolves once the first body chunk arrived. */
export function openStream(
  config: ResolvedConfig,
  spec: RequestSpec,
  controller: AbortController,
): Promise<OpenedStream> {
  const call = prepareCall(config, spec, controller);
  return execute(call, async (response, attempt) => {
    if (!response.body) {
      throw parseError(response.status, "the stream: the response has no body", "");
    }
    const reader = response.body.getReader() as ReadableStreamDefaultReader<Uint8Array>;
    const first = await reader.read();
    return {
      response,
      requestId: response.headers.get("x-request-id") ?? undefined,
      reader,
      first,
      unlink: attempt.unlink,
    };
  });
}

function prepareCall(config: ResolvedConfig, spec: RequestSpec, controller: AbortController): Call {
  const options = spec.options;
  const hasBody = spec.body !== undefined;
  return {
    url: config.baseUrl + spec.path,
    init: {
      method: spec.method,
      headers: buildHeaders({
        token: config.token,
        hasBody,
        streaming: spec.streaming,
        clientHeaders: config.defaultHeaders,
        callHeaders: options?.headers,
      }),
      // Serialised once, reused by every attempt.
      body: hasBody ? JSON.stringify(spec.body) : undefined,
    },
    fetch: config.fetch,
    streaming: spec.streaming,
    timeoutMs:
      options?.timeoutMs === undefined
        ? config.timeoutMs
        : checkTimeout(options.timeoutMs, "options.timeoutMs"),
    maxRetries:
      options?.maxRetries === undefined
        ? config.maxRetries
        : checkRetries(options.maxRetries, "options.maxRetries"),
    controller,
  };
}

interface AttemptHandle {
  /** Keeps the attempt linked to the call's abort after it returns (streams). */
  unlink: () => void;
}

async function execute<R>(
  call: Call,
  consume: (response: Response, attempt: AttemptHandle) => Promise<R>,
): Promise<R> {
  const signal = call.controller.signal;
  for (let retry = 0; ; retry++) {
    if (signal.aborted) throw abortErrorFor(signal);
    const outcome = await attempt(call, consume);
    if (outcome.ok) return outcome.value;
    if (!outcome.retryable || retry >= call.maxRetries) throw outcome.error;
    const delay = retryDelayMs(retry, outcome.serverDelayMs);
    if (delay === null) throw outcome.error;
    await sleep(delay, signal);
  }
}

async function attempt<R>(
  call: Call,
  consume: (response: Response, attempt: AttemptHandle) => Promise<R>,
): Promise<Outcome<R>> {
  const attemptController = new AbortController();
  const unlink = linkSignal(call.controller.signal, attemptController);
  let keepLinked = false;
  let timedOut = false;
  const timer =
    Number.isFinite(call.timeoutMs) && call.timeoutMs <= MAX_TIMER_MS
      ? setTimeout(() => {
          timedOut = true;
          attemptController.abort();
        }, call.timeoutMs)
      : undefined;

  // Who aborted decides the error: the caller (not retried), our timer (retried), or the network.
  const failure = (cause: unknown, requestId?: string): Outcome<R> => {
    if (call.controller.signal.aborted) throw abortErrorFor(call.controller.signal);
    if (timedOut) {
      return {
        ok: false,
        error: timeoutError(call.timeoutMs, call.streaming),
        retryable: true,
        serverDelayMs: undefined,
      };
    }
    if (cause instanceof MeshAPIApiError)
      return { ok: false, error: cause, retryable: false, serverDelayMs: undefined };
    return { ok: false, error: connectionError(cause, requestId), retryable: true, serverDelayMs: undefined };
  };

  try {
    let response: Response;
    try {
      const fetchImpl = call.fetch ?? globalThis.fetch;
      response = await fetchImpl(call.url, { ...call.init, signal: attemptController.signal });
    } catch (cause) {
      return failure(cause);
    }
    const requestId = response.headers.get("x-request-id") ?? undefined;
    if (!response.ok) {
      let text: string;
      try {
        text = await response.text();
      } catch (cause) {
        return failure(cause, requestId);
      }
      const error = errorFromResponse(response.status, response.headers, text);
      const bodyDelayMs = error.retryAfterSeconds === undefined ? undefined : error.retryAfterSeconds * 1000;
      return {
        ok: false,
        error,
        retryable: isRetryableStatus(response.status),
        serverDelayMs: parseRetryAfterMs(response.headers) ?? bodyDelayMs,
      };
    }
    try {
      const value = await consume(response, { unlink });
      keepLinked = call.streaming;
      return { ok: true, value };
    } catch (cause) {
      return failure(cause, requestId);
    }
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    if (!keepLinked) unlink();
  }
}
