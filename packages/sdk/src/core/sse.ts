/**
 * Server-sent events decoder: bytes in, events out.
 *
 * Bytes go through one streaming `TextDecoder`, so a UTF-8 character split across network chunks is
 * reassembled, and a leading BOM is dropped. Lines end with CR, LF or CRLF — including a CRLF whose
 * CR ends one chunk and whose LF starts the next. `:` lines are comments (keep-alives), several
 * `data:` lines join with "\n", and an event still open when the body ends is delivered rather than
 * dropped. Each event is capped in size so a server that never sends a blank line cannot make the
 * client buffer without bound.
 */

export interface ServerSentEvent {
  /** The `event:` field, or `null` when the event had none (the default "message"). */
  event: string | null;
  data: string;
  /** The last `id:` seen on the stream so far, or `null`. */
  id: string | null;
}

export interface SSEDecoderOptions {
  /** Largest event (plus any unterminated line) in UTF-16 code units. Default 16 MiB. */
  maxEventSize?: number;
}

export const DEFAULT_MAX_EVENT_SIZE = 16 * 1024 * 1024;

/** Thrown when one event exceeds the decoder's size cap. */
export class SSEEventTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`A server-sent event exceeded ${limit} characters.`);
    this.name = "SSEEventTooLargeError";
  }
}

const LF = 10;
const COLON = 58;
const SPACE = 32;

export class SSEDecoder {
  private readonly textDecoder = new TextDecoder("utf-8");
  private readonly maxEventSize: number;
  /** Text after the last line break, waiting for the rest of its line. */
  private pending = "";
  /** The previous text ended with CR, so a LF at the start of the next one belongs to it. */
  private skipLeadingLF = false;
  private data: string | null = null;
  private event: string | null = null;
  private lastId: string | null = null;

  constructor(options: SSEDecoderOptions = {}) {
    this.maxEventSize = options.maxEventSize ?? DEFAULT_MAX_EVENT_SIZE;
  }

  /** Feeds one network chunk; returns the events it completed (often none or one). */
  decode(chunk: Uint8Array): ServerSentEvent[] {
    return this.feed(this.textDecoder.decode(chunk, { stream: true }));
  }

  /** Ends the input: completes a final line and event that lacked their terminators. */
  flush(): ServerSentEvent[] {
    const events = this.feed(this.textDecoder.decode());
    if (this.pending.length > 0) {
      this.processLine(this.pending, events);
      this.pending = "";
    }
    this.dispatch(events);
    return events;
  }

  private feed(input: string): ServerSentEvent[] {
    const events: ServerSentEvent[] = [];
    let text = input;
    if (this.skipLeadingLF && text.length > 0) {
      this.skipLeadingLF = false;
      if (text.charCodeAt(0) === LF) text = text.slice(1);
    }
    if (text.length === 0) return events;
    // `pending` holds no line break, so the search for one starts where the new text begins.
    const buffer = this.pending.length > 0 ? this.pending + text : text;
    let scan = this.pending.length;
    let lineStart = 0;
    let nextLF = -2;
    let nextCR = -2;
    while (scan < buffer.length) {
      // Cache the next LF/CR positions: a stream without CRs is searched for CR only once.
      if (nextLF !== -1 && nextLF < scan) nextLF = buffer.indexOf("\n", scan);
      if (nextCR !== -1 && nextCR < scan) nextCR = buffer.indexOf("\r", scan);
      let end: number;
      if (nextCR === -1 || (nextLF !== -1 && nextLF < nextCR)) {
        if (nextLF === -1) break;
        end = nextLF;
        scan = end + 1;
      } else {
        end = nextCR;
        if (end + 1 < buffer.length) {
          scan = buffer.charCodeAt(end + 1) === LF ? end + 2 : end + 1;
        } else {
          scan = end + 1;
          this.skipLeadingLF = true;
        }
      }
      this.processLine(buffer.slice(lineStart, end), events);
      lineStart = scan;
    }
    this.pending = lineStart < buffer.length ? buffer.slice(lineStart) : "";
    if (this.pending.length + (this.data?.length ?? 0) > this.maxEventSize) {
      throw new SSEEventTooLargeError(this.maxEventSize);
    }
    return events;
  }

  private processLine(line: string, events: ServerSentEvent[]): void {
    if (line.length === 0) {
      this.dispatch(events);
      return;
    }
    if (line.charCodeAt(0) === COLON) return; // comment / keep-alive
    const colon = line.indexOf(":");
    let field: string;
    let value: string;
    if (colon === -1) {
      field = line;
      value = "";
    } else {
      field = line.slice(0, colon);
      value = line.charCodeAt(colon + 1) === SPACE ? line.slice(colon + 2) : line.slice(colon + 1);
    }
    switch (field) {
      case "data":
        this.data = this.data === null ? value : `${this.data}\n${value}`;
        if (this.data.length > this.maxEventSize) throw new SSEEventTooLargeError(this.maxEventSize);
        break;
      case "event":
        this.event = value;
        break;
      case "id":
        if (!value.includes("\0")) this.lastId = value;
        break;
      default:
        // `retry:` and unknown fields carry nothing a one-shot HTTP stream can use.
        break;
    }
  }

  private dispatch(events: ServerSentEvent[]): void {
    if (this.data !== null) {
      events.push({ event: this.event, data: this.data, id: this.lastId });
    }
    this.data = null;
    this.event = null;
  }
}
