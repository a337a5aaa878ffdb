import type { Socket } from "node:net";
import { ERROR_CATALOG, type ErrorCode, GatewayError, toEnvelope } from "../errors/catalog.js";
import { newRequestId } from "./request-id.js";

/**
 * Node's `clientError`: the request never parsed (bad framing, smuggling shapes such as two
 * Content-Length values or Transfer-Encoding with Content-Length, headers too large or too slow).
 * The answer is the gateway's error envelope, and the connection is always closed: after a framing
 * error the rest of the bytes cannot be trusted to start a new request.
 */
export function handleClientError(err: Error & { code?: string }, socket: Socket): void {
  if (err.code === "ECONNRESET" || socket.destroyed) return;
  // A response already started on this socket (e.g. a timeout while streaming): just cut it.
  if (
    !socket.writable ||
    (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent
  ) {
    socket.destroy();
    return;
  }
  const error = toGatewayError(err);
  const requestId = newRequestId();
  const body = JSON.stringify(toEnvelope(error, requestId));
  const status = ERROR_CATALOG[error.code].status;
  socket.end(
    `HTTP/1.1 ${status} ${REASONS[status] ?? "Bad Request"}\r\n` +
      "content-type: application/json\r\n" +
      `x-request-id: ${requestId}\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\n` +
      "connection: close\r\n\r\n" +
      body,
  );
  // end() waits for the peer; a client that never reads must not keep the socket.
  setTimeout(() => socket.destroy(), 1_000).unref();
}

const REASONS: Readonly<Record<number, string>> = {
  400: "Bad Request",
  408: "Request Timeout",
  431: "Request Header Fields Too Large",
};

function toGatewayError(err: Error & { code?: string }): GatewayError {
  const code: ErrorCode =
    err.code === "ERR_HTTP_REQUEST_TIMEOUT"
      ? "request_timeout"
      : err.code === "HPE_HEADER_OVERFLOW"
        ? "headers_too_large"
        : "invalid_request";
  const message =
    code === "request_timeout"
      ? "The request headers or body arrived too slowly; the connection is closed."
      : code === "headers_too_large"
        ? "The request headers are larger than the gateway accepts (MESHAPI_MAX_HEADER_BYTES)."
        : `The request's HTTP framing is invalid (${err.code ?? "parse error"}); the connection is closed.`;
  return new GatewayError(code, message);
}
