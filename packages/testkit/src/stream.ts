/**
 * Plays a pre-serialised SSE script onto the wire, applying the stream directives (delays,
 * cuts, malformed events, in-band errors, stalls). Each wire format only builds its events.
 */
import type { OutgoingHttpHeaders } from "node:http";
import type { Directives } from "./directives.js";
import type { Exchange } from "./exchange.js";

export interface StreamScript {
  /** Serialised SSE events in order, terminator excluded. */
  events: string[];
  /** Written after the last event on a clean end (OpenAI's `data: [DONE]`), or null. */
  done: string | null;
  /** The broken event written for `malformed_after`. */
  malformed: string;
  /** The in-band error event written for `stream_error`. */
  error: string;
  /** Where `stream_error` without a count strikes: just after the first content event. */
  defaultErrorAt: number;
}

type Action = "cut" | "malformed" | "error" | "hang";

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
  const errorAt =
    d.streamError === undefined ? -1 : at(d.streamError < 0 ? script.defaultErrorAt : d.streamError);
  const hangAt = at(d.hangAfter);
  const actionAt = (i: number): Action | null => {
    if (i === cutAt) return "cut";
    if (i === malformedAt) return "malformed";
    if (i === errorAt) return "error";
    if (i === hangAt) return "hang";
    return null;
  };

  ex.writeHead(200, headers);
  const delay = d.chunkDelayMs ?? 0;
  for (let i = 0; i <= n; i++) {
    const action = actionAt(i);
    if (action !== null) {
      if (i === 0) ex.res.flushHeaders();
      await act(ex, action, script);
      return;
    }
    if (i === n) break;
    if (delay > 0 && i > 0 && !(await ex.sleep(delay))) return;
    if (ex.gone) return;
    ex.write(events[i] as string);
  }
  ex.end(script.done ?? undefined);
}

async function act(ex: Exchange, action: Action, script: StreamScript): Promise<void> {
  switch (action) {
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
