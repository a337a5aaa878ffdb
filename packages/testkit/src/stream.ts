/**
 * Plays a pre-serialised SSE script onto the wire, applying the stream directives (delays,
 * cuts, malformed events, in-band errors, stalls). Each wire format only builds its events.
 */
import type { OutgoingHttpHeaders } from "node:http";
import type { Directives } from "./directives.js";
import type { Exchange } from "./exchange.js";
import { drip, padded } from "./faults.js";

export interface StreamScript {
  /** Serialised SSE events in order, terminator excluded. */
  events: string[];
  /** Written after the last event on a clean end (OpenAI's `data: [DONE]`), or null. */
  done: string | null;
  /** The broken event written for `malformed_after`. */
  malformed: string;
  /** The in-band error event written for `stream_error`. */
  error: string;
  /** Where `stream_error` without a count strikes (and `oversized` pads): the first content event. */
  defaultErrorAt: number;
}

type Action = "cut" | "malformed" | "error" | "hang" | "end" | "drip";

/** Resolves when the stream ended, was cut, or the client left. */
export async function playStream(
  ex: Exchange,
  headers: OutgoingHttpHeaders,
  script: StreamScript,
  d: Directives,
): Promise<void> {
  const { events } = script;
  const n = events.length;
  // Each fault fires at an event index, clamped so it still fires on short streams.
  const at = (value: number | undefined): number => (value === undefined ? -1 : Math.min(value, n));
  const cutAt = at(d.cutAfter);
  const malformedAt = at(d.malformedAfter);
  // `error_body` on a stream: the vendor's error as the very first event of a 200.
  const errorAt = d.errorBody
    ? 0
    : d.streamError === undefined
      ? -1
      : at(d.streamError < 0 ? script.defaultErrorAt : d.streamError);
  const hangAt = at(d.hangAfter);
  const endAt = at(d.endAfter);
  const dripAt = d.dripBps === undefined ? -1 : at(d.dripAfter ?? 0);
  const oversizedAt = d.oversized === undefined ? -1 : Math.min(script.defaultErrorAt, n - 1);
  const actionAt = (i: number): Action | null => {
    if (i === cutAt) return "cut";
    if (i === malformedAt) return "malformed";
    if (i === errorAt) return "error";
    if (i === hangAt) return "hang";
    if (i === endAt) return "end";
    if (i === dripAt) return "drip";
    return null;
  };
  const eventAt = (i: number): string =>
    i === oversizedAt ? padded(events[i] as string, d.oversized as number) : (events[i] as string);

  ex.writeHead(200, d.contentType === undefined ? headers : { ...headers, "content-type": d.contentType });
  const delay = d.chunkDelayMs ?? 0;
  for (let i = 0; i <= n; i++) {
    const action = actionAt(i);
    if (action === "drip") {
      let rest = "";
      for (let j = i; j < n; j++) rest += eventAt(j);
      await drip(ex, rest + (script.done ?? ""), d.dripBps as number);
      return;
    }
    if (action !== null) {
      if (i === 0) ex.res.flushHeaders();
      await act(ex, action, script);
      return;
    }
    if (i === n) break;
    if (delay > 0 && i > 0 && !(await ex.sleep(delay))) return;
    if (ex.gone) return;
    ex.write(eventAt(i));
  }
  ex.end(script.done ?? undefined);
}

async function act(ex: Exchange, action: Exclude<Action, "drip">, script: StreamScript): Promise<void> {
  switch (action) {
    case "end":
      // A clean end of the response, but without the terminator ([DONE], message_stop, the finish).
      ex.end();
      return;
    case "cut":
      ex.cut();
      return;
    case "malformed":
      // A tolerant client that skips the bad line still sees a clean end; a strict one throws.
      ex.write(script.malformed);
      ex.end(script.done ?? undefined);
      return;
    case "error":
      ex.end(script.error);
      return;
    case "hang":
      await ex.whenGone();
      return;
  }
}

/** Splits a JSON string into 2–3 fragments, as the real API streams arguments. */
export function splitArguments(json: string): string[] {
  if (json.length < 6) return [json.slice(0, 1), json.slice(1)];
  const third = Math.ceil(json.length / 3);
  return [json.slice(0, third), json.slice(third, 2 * third), json.slice(2 * third)];
}
