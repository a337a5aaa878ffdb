import { oversizedEvent } from "./sse-events.js";

/**
 * Splits an event stream's text into the `data` payloads of its events, for the pass-through relay.
 * Unlike `sseEvents` it hands over every event completed by one upstream read at once (one array per
 * read, so the relay can answer with one socket write per read) and it drops event names, ids and
 * comments, which an OpenAI-format chat stream does not use. The common shape, `data: {...}\n\n` with
 * LF line ends, is cut with `indexOf` and `slice` only; CR line ends and multi-line data take the
 * spec's long way. An event still open past `maxEventBytes` (counted in characters, which for the
 * ASCII of JSON is bytes) fails the stream instead of growing the carry.
 */
export class SseFrameSplitter {
  private carry = "";
  private readonly decoder = new TextDecoder();

  constructor(private readonly maxEventBytes = Number.POSITIVE_INFINITY) {}

  /** The payloads of the events this read completed (often several, sometimes none). */
  push(bytes: Uint8Array): string[] {
    const text = this.carry + this.decoder.decode(bytes, { stream: true });
    return this.split(text, false);
  }

  /** The payload of a last event the upstream did not close with a blank line. */
  end(): string[] {
    const text = this.carry + this.decoder.decode();
    this.carry = "";
    return text.trim() === "" ? [] : this.split(`${text}\n\n`, true);
  }

  private split(input: string, final: boolean): string[] {
    const text = input.includes("\r") ? normalizeLineEnds(input, final) : input;
    const out: string[] = [];
    let start = 0;
    for (;;) {
      const end = text.indexOf("\n\n", start);
      if (end === -1) break;
      if (end > start) {
        const data = payloadOf(text, start, end);
        if (data !== undefined) out.push(data);
      }
      start = end + 2;
    }
    this.carry = start === 0 ? text : text.slice(start);
    if (this.carry.length > this.maxEventBytes) throw oversizedEvent(this.maxEventBytes);
    return out;
  }
}

/**
 * The `data` of the event in `text[start, end)`, or undefined for an event without data (comments,
 * keep-alives). Fields other than `data` are ignored; several `data` lines join with LF, and one
 * space after the colon is dropped, as the SSE spec says.
 */
function payloadOf(text: string, start: number, end: number): string | undefined {
  const firstLineEnd = text.indexOf("\n", start);
  if (firstLineEnd === -1 || firstLineEnd >= end) {
    // One line: the common case.
    if (!text.startsWith("data:", start)) return undefined;
    return text.slice(text.charCodeAt(start + 5) === 32 ? start + 6 : start + 5, end);
  }
  let data: string | undefined;
  for (const line of text.slice(start, end).split("\n")) {
    if (!line.startsWith("data:")) continue;
    const value = line.slice(line.charCodeAt(5) === 32 ? 6 : 5);
    data = data === undefined ? value : `${data}\n${value}`;
  }
  return data;
}

/**
 * CRLF and lone CR become LF. A CR at the very end of a read stays in the carry (its LF may be in the
 * next read) unless this is the stream's end.
 */
function normalizeLineEnds(text: string, final: boolean): string {
  const held = !final && text.endsWith("\r");
  const body = held ? text.slice(0, -1) : text;
  const normalized = body.replace(/\r\n?/g, "\n");
  return held ? `${normalized}\r` : normalized;
}
