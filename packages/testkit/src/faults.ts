/**
 * The directives that act before a response starts (delay, hang, forced status), shared by
 * every wire format; each format passes its own error writer.
 */
import { type Directives, parseDirectives, withStanding } from "./directives.js";
import type { Exchange } from "./exchange.js";

/** Writes a vendor-shaped error response. `retryAfter` is in seconds. */
export type ErrorWriter = (ex: Exchange, status: number, message: string, retryAfter?: number) => void;

/**
 * Applies `delay_ms`, `hang` and `status`. Resolves to true when the handler should go on and
 * produce a normal answer, false when the exchange is already settled (or the client left).
 */
export async function preflight(ex: Exchange, d: Directives, writeError: ErrorWriter): Promise<boolean> {
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
  return !ex.gone;
}

/**
 * Sends a complete (non-streaming) 200 body, honouring `malformed_after` (an invalid JSON body)
 * and `cut_after` (the full length promised, half delivered, then the socket destroyed).
 */
export function sendBody(ex: Exchange, headers: Record<string, string>, text: string, d: Directives): void {
  if (d.malformedAfter !== undefined) {
    ex.writeHead(200, { ...headers, "content-type": "application/json" });
    ex.end("{not json");
    return;
  }
  ex.writeHead(200, {
    ...headers,
    "content-type": "application/json",
    "content-length": String(Buffer.byteLength(text)),
  });
  if (d.cutAfter !== undefined) ex.cut(text.slice(0, Math.floor(text.length / 2)));
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
