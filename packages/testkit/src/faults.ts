/**
 * The directives that act before a response starts (delay, hang, forced status), shared by
 * every wire format; each format passes its own error writer.
 */
import { type Directives, parseDirectives, withStanding } from "./directives.js";
import type { Exchange } from "./exchange.js";

/** Writes a vendor-shaped error response. `retryAfter` is in seconds. */
export type ErrorWriter = (ex: Exchange, status: number, message: string, retryAfter?: number) => void;

/**
 * Applies `delay_ms`, `reset`, `hang`, `status`, `html_error` and (non-stream) `error_body`. Resolves to
 * true when the handler should go on and produce a normal answer, false when the exchange is already
 * settled (or the client left).
 */
export async function preflight(
  ex: Exchange,
  d: Directives,
  writeError: ErrorWriter,
  stream = false,
): Promise<boolean> {
  if (d.delayMs !== undefined && d.delayMs > 0 && !(await ex.sleep(d.delayMs))) return false;
  if (d.reset) {
    ex.reset();
    return false;
  }
  if (d.hang) {
    await ex.whenGone();
    return false;
  }
  if (d.status !== undefined && d.status >= 400) {
    writeError(ex, d.status, `Simulated error (status ${d.status})`, d.retryAfter);
    return false;
  }
  if (d.htmlError !== undefined) {
    sendHtmlError(ex, d.htmlError);
    return false;
  }
  if (d.errorBody && !stream) {
    // The vendor's own error JSON, but with a 200: some proxies and vendors answer that way.
    writeError(ex, 200, "Simulated error in a 200 body");
    return false;
  }
  return !ex.gone;
}

/** An HTML error page with the given status, as a load balancer or CDN in front of a vendor sends it. */
function sendHtmlError(ex: Exchange, status: number): void {
  if (ex.gone) return;
  const page = `<html>\r\n<head><title>${status} Bad Gateway</title></head>\r\n<body>\r\n<center><h1>${status} Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;
  ex.writeHead(status, { "content-type": "text/html", "content-length": String(Buffer.byteLength(page)) });
  ex.res.end(page);
}

/**
 * `oversized`: the JSON object of `text` (a body, or one `data:` event) with a `padding` field of that
 * many bytes added at its end, so it stays valid JSON and only its size is wrong.
 */
export function padded(text: string, bytes: number): string {
  const close = text.lastIndexOf("}");
  if (close === -1) return text;
  return `${text.slice(0, close)},"padding":"${"x".repeat(bytes)}"${text.slice(close)}`;
}

/**
 * `drip_bps`: writes `text` a few bytes at a time, at about `bps` bytes per second, then ends. Every
 * read on the client's side gets a byte well inside any idle timeout; only a total deadline stops it.
 */
export async function drip(ex: Exchange, text: string, bps: number): Promise<void> {
  const bytes = Buffer.from(text);
  const step = bps <= 10 ? 1 : Math.ceil(bps / 10);
  const interval = Math.round((1000 * step) / bps);
  ex.res.flushHeaders();
  for (let at = 0; at < bytes.length; at += step) {
    if (!(await ex.sleep(interval))) return;
    ex.write(bytes.subarray(at, at + step));
  }
  ex.end();
}

/**
 * Sends a complete (non-streaming) 200 body, honouring `malformed_after` (an invalid JSON body),
 * `cut_after` (the full length promised, half delivered, then the socket destroyed), `end_after` (half
 * a body, ended cleanly), `hang_after` (half a body, then silence), `oversized`, `content_type` and
 * `drip_bps`.
 */
export async function sendBody(
  ex: Exchange,
  headers: Record<string, string>,
  body: string,
  d: Directives,
): Promise<void> {
  const contentType = d.contentType ?? "application/json";
  if (d.malformedAfter !== undefined) {
    ex.writeHead(200, { ...headers, "content-type": contentType });
    ex.end("{not json");
    return;
  }
  const full = d.oversized === undefined ? body : padded(body, d.oversized);
  const half = full.slice(0, Math.floor(full.length / 2));
  const text = d.endAfter === undefined ? full : half;
  ex.writeHead(200, {
    ...headers,
    "content-type": contentType,
    "content-length": String(Buffer.byteLength(text)),
  });
  if (d.cutAfter !== undefined) ex.cut(half);
  else if (d.hangAfter !== undefined) {
    ex.write(half);
    await ex.whenGone();
  } else if (d.dripBps !== undefined) await drip(ex, text, d.dripBps);
  else ex.end(text);
}

/**
 * The simulator's standing faults (see `Simulator.setFaults`) for a route whose request has no
 * conversation to carry directives (embeddings): the ones that act before a response starts.
 */
export async function standingPreflight(ex: Exchange, writeError: ErrorWriter): Promise<boolean> {
  if (ex.standing === undefined) return true;
  const parsed = parseDirectives(withStanding("", ex.standing));
  if (!parsed.ok) {
    writeError(ex, 400, parsed.message);
    return false;
  }
  return preflight(ex, parsed.directives, writeError);
}
