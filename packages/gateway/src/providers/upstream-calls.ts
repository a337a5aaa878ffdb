import type { IncomingHttpHeaders } from "node:http";
import { GatewayError } from "../errors/catalog.js";
import type { ChatCompletionChunk } from "./openai-types.js";
import { type SseEvent, sseEvents } from "./sse-events.js";
import type { ChunkStream, StreamPiece, UpstreamCall } from "./types.js";
import { toGatewayError, type UpstreamHttp, type UpstreamResponse } from "./upstream-http.js";
import { vendorMessage } from "./upstream-status.js";

/** Maps a vendor's HTTP error response to MeshAPI's envelope. */
export type StatusErrorMapper = (
  status: number,
  headers: IncomingHttpHeaders,
  bodyText: string,
) => GatewayError;

/** Turns an upstream SSE event stream into OpenAI chunks; returning normally means the vendor ended cleanly. */
export type StreamTranslator = (events: AsyncIterable<SseEvent>) => AsyncGenerator<ChatCompletionChunk>;

/** Turns a 2xx event-stream body into stream pieces; returning normally means the vendor ended cleanly. */
export type BodyReader = (body: AsyncIterable<Uint8Array>) => AsyncGenerator<StreamPiece>;

/** One vendor call as an adapter prepares it. */
export interface VendorRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  mapStatus: StatusErrorMapper;
}

/** POSTs a streaming request; a 4xx/5xx becomes the vendor's mapped GatewayError before any byte reaches the client. */
export async function postChecked(
  http: UpstreamHttp,
  call: Pick<UpstreamCall, "provider" | "signal">,
  req: VendorRequest,
): Promise<UpstreamResponse> {
  const res = await http.post(call.provider, req.url, req.headers, req.body, call.signal);
  if (res.statusCode >= 400) {
    const text = await readErrorText(res.body);
    throw req.mapStatus(res.statusCode, res.headers, text);
  }
  return res;
}

/** More of an error body than any message needs; the rest is not read. */
const ERROR_TEXT_BYTES = 64 * 1024;

/**
 * The start of a body that is not the answer (an error status, a wrong content type): at most
 * ERROR_TEXT_BYTES, so a huge HTML page or an endless body costs the gateway nothing, then the
 * connection is released. A body that fails while read gives what arrived.
 */
async function readErrorText(body: UpstreamResponse["body"]): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body) {
      chunks.push(chunk as Buffer);
      size += (chunk as Buffer).length;
      if (size >= ERROR_TEXT_BYTES) break;
    }
  } catch {
    // What arrived is all there is.
  } finally {
    if (!body.destroyed) body.destroy();
  }
  return Buffer.concat(chunks).subarray(0, ERROR_TEXT_BYTES).toString("utf8");
}

/**
 * POSTs a non-streaming request and returns the JSON object it answers with. A 4xx/5xx becomes the
 * vendor's mapped GatewayError; anything but a JSON object is a 502 carrying what the vendor sent.
 */
export async function postForJson(
  http: UpstreamHttp,
  call: Pick<UpstreamCall, "provider" | "signal">,
  req: VendorRequest,
): Promise<Record<string, unknown>> {
  const res = await http.postBuffered(call.provider, req.url, req.headers, req.body, call.signal);
  if (res.statusCode >= 400) throw req.mapStatus(res.statusCode, res.headers, res.text);
  let parsed: unknown;
  try {
    parsed = JSON.parse(res.text);
  } catch {
    // Reported below with the text itself.
  }
  if (parsed !== null && typeof parsed === "object" && !Array.isArray(parsed)) {
    const body = parsed as Record<string, unknown>;
    if (isErrorBody(body)) throw errorIn200(call.provider.name, body);
    return body;
  }
  throw new GatewayError("upstream_error", `${call.provider.name} returned a response that is not JSON.`, {
    status: 502,
    providerError: res.text.slice(0, 2048),
  });
}

/**
 * An error object with nothing of an answer around it. Answers may carry an `error` field of their own
 * (null on success; a Responses API object with status "failed" sets it) but always have an `id`.
 */
function isErrorBody(body: Record<string, unknown>): boolean {
  return body.error !== undefined && body.error !== null && body.id === undefined;
}

/**
 * A 200 whose body is the vendor's error object (some proxies and vendors answer that way): a failure
 * like a 5xx, with the vendor's message, never a half-read success.
 */
function errorIn200(providerName: string, body: Record<string, unknown>): GatewayError {
  const said = vendorMessage(body);
  return new GatewayError(
    "upstream_error",
    `${providerName} answered 200 with an error${said ? `: ${said}` : ""}`,
    { status: 502, providerError: body.error },
  );
}

/** Parses one SSE `data:` payload; a broken one fails the stream (the relay sends the error frame). */
export function parseEventData(event: SseEvent, call: UpstreamCall): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(event.data);
    if (parsed !== null && typeof parsed === "object" && !Array.isArray(parsed)) {
      return parsed as Record<string, unknown>;
    }
  } catch {
    // Reported below.
  }
  throw new GatewayError("upstream_error", `${call.provider.name} sent a malformed stream event.`, {
    providerError: event.data.slice(0, 512),
  });
}

/**
 * Wraps a 2xx event-stream response as a ChunkStream. A vendor that answers a stream request with
 * something else (a JSON error with a 200) is a 502 here, before the client's stream opens.
 */
export function eventStream(
  res: UpstreamResponse,
  call: UpstreamCall,
  translate: StreamTranslator,
): Promise<ChunkStream> {
  return bodyStream(res, call, (body) => translate(sseEvents(body, call.provider.maxEventBytes)));
}

/** As `eventStream`, for a reader that takes the body's bytes itself (the OpenAI-format pass-through). */
export async function bodyStream(
  res: UpstreamResponse,
  call: UpstreamCall,
  read: BodyReader,
): Promise<ChunkStream> {
  await requireEventStream(res, call);
  return {
    [Symbol.asyncIterator]: () => run(res, call, read),
    cancel: () => res.body.destroy(),
  };
}

/** A 2xx that is not an event stream (a JSON error with a 200) is a 502 carrying what the vendor sent. */
async function requireEventStream(
  res: UpstreamResponse,
  call: Pick<UpstreamCall, "provider">,
): Promise<void> {
  const contentType = String(res.headers["content-type"] ?? "");
  if (contentType.includes("text/event-stream")) return;
  const text = await readErrorText(res.body);
  throw new GatewayError(
    "upstream_error",
    `${call.provider.name} did not answer with an event stream (content-type: ${contentType.slice(0, 100) || "none"}).`,
    { status: 502, providerError: text.slice(0, 2048) },
  );
}

/** A vendor's raw events, for a pass-through that relays them as they are; `cancel` releases the connection. */
export interface RawEventStream {
  events: AsyncIterable<SseEvent>;
  cancel: () => void;
}

/** POSTs a streaming request to be passed through: once the vendor answered 2xx with an event stream. */
export async function postForEvents(
  http: UpstreamHttp,
  call: Pick<UpstreamCall, "provider" | "signal">,
  req: VendorRequest,
): Promise<RawEventStream> {
  const res = await postChecked(http, call, req);
  await requireEventStream(res, call);
  return { events: sseEvents(res.body, call.provider.maxEventBytes), cancel: () => res.body.destroy() };
}

async function* run(
  res: UpstreamResponse,
  call: UpstreamCall,
  read: BodyReader,
): AsyncGenerator<StreamPiece> {
  // The reader gets the body's bytes through an iterable that a reader stopping early (at `[DONE]`,
  // at `message_stop`) does not close: closing a Node stream's iterator destroys the stream, which
  // costs an AbortError and its stack trace per request and can cost the keep-alive connection.
  const bytes = res.body[Symbol.asyncIterator]();
  const body: AsyncIterable<Uint8Array> = {
    [Symbol.asyncIterator]: () => ({
      next: () => bytes.next(),
      return: () => Promise.resolve({ done: true, value: undefined }),
    }),
  };
  let clean = false;
  try {
    yield* read(body);
    clean = true;
  } catch (err) {
    throw toGatewayError(err, call.provider);
  } finally {
    // After a clean end, read what is left (normally nothing but the end) so the connection can be
    // reused; otherwise, or when the vendor keeps talking, tear it down.
    if (!clean || !(await readRest(bytes))) res.body.destroy();
  }
}

/** Reads a body to its end; false when it failed or went past `limit` bytes first. */
async function readRest(bytes: AsyncIterator<Uint8Array>, limit = 64 * 1024): Promise<boolean> {
  try {
    for (let total = 0; total <= limit; ) {
      const next = await bytes.next();
      if (next.done) return true;
      total += next.value.byteLength;
    }
  } catch {
    // A failure after the vendor said it was done changes nothing for the client.
  }
  return false;
}
