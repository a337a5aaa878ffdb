/**
 * The upstream fault matrix: every fault of issue 22 as a testkit directive (or a dead port), and the
 * outcome the gateway promises for it, before the first byte (a status) or after it (an in-band frame).
 * docs/hardening.md, "Upstream faults", is this table in prose.
 */

/**
 * The gateway's upstream timeouts in these tests: short, so a stall ends in a few seconds. The idle
 * timeout is well over a second so that a 1 byte/s drip never trips it (undici checks it on a clock of
 * half a second, and the machine may be loaded): only the total deadline may.
 */
export const TIMEOUTS = { connectMs: 500, firstByteMs: 800, idleMs: 2500, totalMs: 4500 } as const;
/** The largest upstream event (or non-streaming body) the gateway accepts in these tests. */
export const MAX_EVENT_BYTES = 256 * 1024;
/** Head room on top of a fault's timeout for a loaded machine: a bound, not a timing target. */
export const SLACK_MS = 2500;

export interface Format {
  name: "openai" | "anthropic" | "gemini";
  /** The model through the simulator; the dead twin (refused connections) is `dead-<name>/<model>`. */
  model: string;
  deadModel: string;
  /**
   * A stream event index after which some content has reached the client: OpenAI sends a role chunk
   * then a word per event; Anthropic message_start, content_block_start and a ping before the words;
   * Gemini a word per event.
   */
  mid: number;
}

export const FORMATS: readonly Format[] = [
  { name: "openai", model: "openai/gpt-4o-mini", deadModel: "dead-openai/gpt-4o-mini", mid: 3 },
  {
    name: "anthropic",
    model: "anthropic/claude-haiku-4-5",
    deadModel: "dead-anthropic/claude-haiku-4-5",
    mid: 5,
  },
  { name: "gemini", model: "google/gemini-2.5-flash", deadModel: "dead-gemini/gemini-2.5-flash", mid: 2 },
];

/** What the client sees: a status and error code before the first byte, or a 200 with an in-band frame. */
export type Outcome =
  | { kind: "status"; status: number; code: string }
  | { kind: "in_band"; code: string }
  | { kind: "ok" };

export interface FaultCase {
  name: string;
  stream: boolean;
  /** The directive text for the simulator (`mid` is the format's mid-stream index); null: the dead port. */
  directive: ((f: Format) => string) | null;
  outcome: Outcome;
  /** The timeout that bounds the case (ms), for the elapsed-time check. */
  boundMs: number;
  /** What the error message must say (which timer fired, what was wrong), where it is one thing. */
  message?: RegExp;
}

const upstream502: Outcome = { kind: "status", status: 502, code: "upstream_error" };
const timeout504: Outcome = { kind: "status", status: 504, code: "gateway_timeout" };
const inBandUpstream: Outcome = { kind: "in_band", code: "upstream_error" };
const inBandTimeout: Outcome = { kind: "in_band", code: "gateway_timeout" };
const fast = TIMEOUTS.firstByteMs;

/** Each fault, non-stream and stream, before and (where it can happen) after the first byte. */
export const CASES: readonly FaultCase[] = [
  {
    name: "connection refused",
    stream: false,
    directive: null,
    outcome: upstream502,
    boundMs: fast,
    message: /Could not reach dead-\w+ \(ECONNREFUSED\)/,
  },
  {
    name: "connection refused",
    stream: true,
    directive: null,
    outcome: upstream502,
    boundMs: fast,
    message: /Could not reach dead-\w+ \(ECONNREFUSED\)/,
  },
  {
    name: "reset before headers",
    stream: false,
    directive: () => "reset",
    outcome: upstream502,
    boundMs: fast,
    message: /Could not reach/,
  },
  {
    name: "reset before headers",
    stream: true,
    directive: () => "reset",
    outcome: upstream502,
    boundMs: fast,
    message: /Could not reach/,
  },
  {
    name: "stall before headers",
    stream: false,
    directive: () => "hang",
    outcome: timeout504,
    boundMs: TIMEOUTS.firstByteMs,
    message: /did not answer within 800 ms/,
  },
  {
    name: "stall before headers",
    stream: true,
    directive: () => "hang",
    outcome: timeout504,
    boundMs: TIMEOUTS.firstByteMs,
    message: /did not answer within 800 ms/,
  },
  {
    name: "stall mid-body",
    stream: false,
    directive: () => "hang_after=1",
    outcome: timeout504,
    boundMs: TIMEOUTS.idleMs,
    message: /sent nothing for 2500 ms/,
  },
  {
    name: "stall mid-stream",
    stream: true,
    directive: (f) => `hang_after=${f.mid}`,
    outcome: inBandTimeout,
    boundMs: TIMEOUTS.idleMs,
    message: /sent nothing for 2500 ms/,
  },
  {
    name: "cut (socket destroyed) mid-body",
    stream: false,
    directive: () => "cut_after=1",
    outcome: upstream502,
    boundMs: fast,
  },
  {
    name: "cut (socket destroyed) before the first event",
    stream: true,
    directive: () => "cut_after=0",
    outcome: upstream502,
    boundMs: fast,
  },
  {
    name: "cut (socket destroyed) mid-stream",
    stream: true,
    directive: (f) => `cut_after=${f.mid}`,
    outcome: inBandUpstream,
    boundMs: fast,
  },
  {
    name: "clean end mid-body",
    stream: false,
    directive: () => "end_after=1",
    outcome: upstream502,
    boundMs: fast,
  },
  {
    name: "clean end before the first event",
    stream: true,
    directive: () => "end_after=0",
    outcome: upstream502,
    boundMs: fast,
  },
  {
    name: "clean end mid-stream, no terminator",
    stream: true,
    directive: (f) => `end_after=${f.mid}`,
    outcome: inBandUpstream,
    boundMs: fast,
  },
  {
    name: "malformed JSON body",
    stream: false,
    directive: () => "malformed_after=0",
    outcome: upstream502,
    boundMs: fast,
  },
  {
    name: "malformed JSON first event",
    stream: true,
    directive: () => "malformed_after=0",
    outcome: upstream502,
    boundMs: fast,
  },
  {
    name: "malformed JSON event mid-stream",
    stream: true,
    directive: (f) => `malformed_after=${f.mid}`,
    outcome: inBandUpstream,
    boundMs: fast,
  },
  {
    name: "oversized body",
    stream: false,
    directive: () => `oversized=${2 * MAX_EVENT_BYTES}`,
    outcome: upstream502,
    boundMs: fast,
    message: /larger than 262144 bytes/,
  },
  {
    name: "oversized event mid-stream",
    stream: true,
    directive: () => `oversized=${2 * MAX_EVENT_BYTES}`,
    outcome: inBandUpstream,
    boundMs: fast,
    message: /larger than 262144 bytes/,
  },
  {
    name: "wrong content-type (JSON body sent as text/html)",
    stream: false,
    directive: () => "content_type=text/html",
    outcome: { kind: "ok" },
    boundMs: fast,
  },
  {
    name: "wrong content-type (event stream sent as text/plain)",
    stream: true,
    directive: () => "content_type=text/plain",
    outcome: upstream502,
    boundMs: fast,
    message: /not answer with an event stream \(content-type: text\/plain\)/,
  },
  {
    name: "HTML error page (502)",
    stream: false,
    directive: () => "html_error=502",
    outcome: upstream502,
    boundMs: fast,
    message: /HTTP 502\): an HTML page titled "502 Bad Gateway"/,
  },
  {
    name: "HTML error page (502)",
    stream: true,
    directive: () => "html_error=502",
    outcome: upstream502,
    boundMs: fast,
    message: /HTTP 502\): an HTML page titled "502 Bad Gateway"/,
  },
  {
    name: "HTML page with a 200",
    stream: false,
    directive: () => "html_error=200",
    outcome: upstream502,
    boundMs: fast,
  },
  {
    name: "HTML page with a 200",
    stream: true,
    directive: () => "html_error=200",
    outcome: upstream502,
    boundMs: fast,
  },
  {
    name: "200 with an error body",
    stream: false,
    directive: () => "error_body",
    outcome: upstream502,
    boundMs: fast,
    message: /answered 200 with an error: Simulated error in a 200 body/,
  },
  {
    name: "200 with an error as the first event",
    stream: true,
    directive: () => "error_body",
    outcome: upstream502,
    boundMs: fast,
  },
  {
    name: "slow drip (1 byte/s) body",
    stream: false,
    directive: () => "drip_bps=1",
    outcome: timeout504,
    boundMs: TIMEOUTS.totalMs,
    message: /did not finish its answer within 4500 ms/,
  },
  {
    name: "slow drip (1 byte/s) from the first event",
    stream: true,
    directive: () => "drip_bps=1",
    outcome: timeout504,
    boundMs: TIMEOUTS.totalMs,
    message: /did not finish its answer within 4500 ms/,
  },
  {
    name: "slow drip (1 byte/s) mid-stream",
    stream: true,
    directive: (f) => `drip_bps=1,drip_after=${f.mid}`,
    outcome: inBandTimeout,
    boundMs: TIMEOUTS.totalMs,
    message: /did not finish its answer within 4500 ms/,
  },
];
