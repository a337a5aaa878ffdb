import type { IncomingHttpHeaders } from "node:http";

/**
 * Why a request's framing is ambiguous, or undefined when it is not. Node's parser rejects most
 * smuggling shapes itself (two Content-Length values, Transfer-Encoding with Content-Length, a
 * Transfer-Encoding that does not end in chunked), but only once it reads the body: a route that
 * answers before reading would still reply and leave the connection to the parser's error. Checking
 * the headers first makes every route answer the same 400 and close the connection.
 */
export function ambiguousFraming(headers: IncomingHttpHeaders): string | undefined {
  const te = headers["transfer-encoding"];
  if (te === undefined) return undefined;
  // Node joins repeated Transfer-Encoding fields with ", ": anything but one plain "chunked" is refused.
  if (te.trim().toLowerCase() !== "chunked")
    return `Transfer-Encoding "${te.slice(0, 64)}" is not supported; send chunked or Content-Length.`;
  if (headers["content-length"] !== undefined)
    return "Transfer-Encoding and Content-Length together are ambiguous.";
  return undefined;
}
