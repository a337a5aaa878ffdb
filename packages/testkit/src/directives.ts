/**
 * Fault-injection directives: `[[sim:key=value,flag,...]]` anywhere in the last user message.
 * They are stripped from the text before the simulator echoes it, so a test can steer the
 * simulator through any client (official SDKs, the gateway) without custom headers.
 */

export interface Directives {
  /** Answer with this HTTP status and the vendor's error body. */
  status?: number;
  /** `Retry-After` seconds sent with the error status (alone it implies status 429). */
  retryAfter?: number;
  /** Wait before sending response headers. */
  delayMs?: number;
  /** Wait between stream events. */
  chunkDelayMs?: number;
  /** Stream: destroy the socket after N events (never a clean end). */
  cutAfter?: number;
  /** Stream: send `data: {not json` after N events. */
  malformedAfter?: number;
  /** Never answer; wait for the client to go away. */
  hang: boolean;
  /** Destroy the connection before any response byte (a reset before headers). */
  reset: boolean;
  /** Stream: stop sending after N events but keep the connection open. */
  hangAfter?: number;
  /** Reply is `w1 w2 … wN`. */
  words?: number;
  /** Omit usage everywhere. */
  noUsage: boolean;
  /** N parallel tool calls. */
  parallel?: number;
  /** OpenAI streams: usage on the finish_reason chunk (Fireworks style). */
  usageOnFinish: boolean;
  /** Stream: an in-band error event after N events (-1 = after the first content event). */
  streamError?: number;
  /** Stream: end the response cleanly after N events, without the terminator; non-stream: half a body, ended cleanly. */
  endAfter?: number;
  /** A single event (non-stream: the body) padded with this many bytes, just after the first content event. */
  oversized?: number;
  /** Answer with this status and an HTML page (a proxy's error page) instead of the vendor's JSON. */
  htmlError?: number;
  /** `Content-Type` of a 200 answer, in place of the right one (the body is unchanged). */
  contentType?: string;
  /** A 200 whose body is the vendor's error JSON (stream: the error as the first event). */
  errorBody: boolean;
  /** Write the body at this many bytes per second (after `drip_after` stream events). */
  dripBps?: number;
  /** Stream: events sent at full speed before `drip_bps` starts (default 0). */
  dripAfter?: number;
}

export type DirectiveParse =
  | { ok: true; text: string; directives: Directives }
  | { ok: false; message: string };

/** Shared and frozen: the hot path without directives allocates nothing. */
export const NO_DIRECTIVES: Readonly<Directives> = Object.freeze({
  hang: false,
  reset: false,
  noUsage: false,
  usageOnFinish: false,
  errorBody: false,
});

const MARKER = "[[sim:";
// Leading whitespace goes with the directive so "a [[sim:x]] b" echoes as "a b".
const DIRECTIVE_RE = /\s*\[\[sim:([^\]]*)\]\]/g;

type NumericKey =
  | "status"
  | "retryAfter"
  | "delayMs"
  | "chunkDelayMs"
  | "cutAfter"
  | "malformedAfter"
  | "hangAfter"
  | "words"
  | "parallel"
  | "endAfter"
  | "oversized"
  | "htmlError"
  | "dripBps"
  | "dripAfter";
type FlagKey = "hang" | "reset" | "noUsage" | "usageOnFinish" | "errorBody";

const NUMERIC: Record<string, NumericKey> = {
  status: "status",
  retry_after: "retryAfter",
  delay_ms: "delayMs",
  chunk_delay_ms: "chunkDelayMs",
  cut_after: "cutAfter",
  malformed_after: "malformedAfter",
  hang_after: "hangAfter",
  words: "words",
  parallel: "parallel",
  end_after: "endAfter",
  oversized: "oversized",
  html_error: "htmlError",
  drip_bps: "dripBps",
  drip_after: "dripAfter",
};
const FLAGS: Record<string, FlagKey> = {
  hang: "hang",
  reset: "reset",
  no_usage: "noUsage",
  usage_on_finish: "usageOnFinish",
  error_body: "errorBody",
};

/** Every directive key the simulator understands, for docs and error messages. */
export const DIRECTIVE_KEYS: readonly string[] = [
  ...Object.keys(NUMERIC),
  ...Object.keys(FLAGS),
  "stream_error",
  "content_type",
];

// A media type with optional parameters; no commas (they separate directives).
const CONTENT_TYPE_RE = /^[\w.+-]+\/[\w.+-]+(\s*;[^,]*)?$/;

/**
 * The text with a simulator's standing faults (see `Simulator.setFaults`) put in front, so the
 * message's own directives, which come after, win where both set a key.
 */
export function withStanding(text: string, standing: string | undefined): string {
  return standing === undefined ? text : `[[sim:${standing}]] ${text}`;
}

/**
 * Removes every `[[sim:...]]` block from `text` and returns the merged directives. Unknown keys
 * and bad values are errors (surfaced to the client as a 400) so a typo never passes silently.
 *
 * @example parseDirectives("[[sim:status=429,retry_after=2]] hi") // → text "hi", status 429
 */
export function parseDirectives(text: string): DirectiveParse {
  if (!text.includes(MARKER)) return { ok: true, text, directives: NO_DIRECTIVES };
  const directives: Directives = {
    hang: false,
    reset: false,
    noUsage: false,
    usageOnFinish: false,
    errorBody: false,
  };
  let error: string | null = null;
  const cleaned = text.replace(DIRECTIVE_RE, (_match, body: string) => {
    for (const item of body.split(",")) {
      const entry = item.trim();
      if (entry === "") continue;
      const problem = applyEntry(directives, entry);
      if (problem !== null && error === null) error = problem;
    }
    return "";
  });
  if (error !== null) return { ok: false, message: error };
  if (directives.retryAfter !== undefined && directives.status === undefined) directives.status = 429;
  return { ok: true, text: cleaned.trim(), directives };
}

function applyEntry(directives: Directives, entry: string): string | null {
  const eq = entry.indexOf("=");
  const key = (eq === -1 ? entry : entry.slice(0, eq)).trim();
  const raw = eq === -1 ? null : entry.slice(eq + 1).trim();
  const flag = FLAGS[key];
  if (flag !== undefined) {
    if (raw !== null) return `simulator directive "${key}" takes no value`;
    directives[flag] = true;
    return null;
  }
  if (key === "stream_error") {
    if (raw === null) {
      directives.streamError = -1;
      return null;
    }
    const n = parseCount(raw);
    if (n === null) return `simulator directive "stream_error" needs a non-negative integer, got "${raw}"`;
    directives.streamError = n;
    return null;
  }
  if (key === "content_type") {
    if (raw === null || !CONTENT_TYPE_RE.test(raw))
      return `simulator directive "content_type" needs a media type such as text/plain, got "${raw ?? ""}"`;
    directives.contentType = raw;
    return null;
  }
  const numeric = NUMERIC[key];
  if (numeric === undefined) {
    return `unknown simulator directive "${key}" (known: ${DIRECTIVE_KEYS.join(", ")})`;
  }
  const n = raw === null ? null : parseCount(raw);
  if (n === null) return `simulator directive "${key}" needs a non-negative integer, got "${raw ?? ""}"`;
  if ((key === "status" || key === "html_error") && (n < 100 || n > 599))
    return `simulator directive "${key}" must be 100-599, got ${n}`;
  if (key === "drip_bps" && n === 0) return `simulator directive "drip_bps" must be at least 1`;
  directives[numeric] = n;
  return null;
}

function parseCount(raw: string): number | null {
  if (!/^\d{1,9}$/.test(raw)) return null;
  return Number(raw);
}
