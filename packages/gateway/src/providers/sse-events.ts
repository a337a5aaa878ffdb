import { createParser } from "eventsource-parser";
import { GatewayError } from "../errors/catalog.js";

export interface SseEvent {
  event: string | undefined;
  data: string;
}

/**
 * Decodes an upstream byte stream into SSE events. Chunk and UTF-8 boundaries, CR/LF variants and
 * comment lines (OpenRouter's `: OPENROUTER PROCESSING`) are the parser's job. An event still open
 * after `maxEventBytes` (give or take one read) fails the stream instead of growing the parser's buffer.
 */
export async function* sseEvents(
  body: AsyncIterable<Uint8Array>,
  maxEventBytes = Number.POSITIVE_INFINITY,
): AsyncGenerator<SseEvent> {
  const pending: SseEvent[] = [];
  // Bytes read since the read that completed the last event.
  let open = 0;
  const parser = createParser({
    onEvent: (e) => {
      open = 0;
      pending.push({ event: e.event, data: e.data });
    },
  });
  const decoder = new TextDecoder();
  for await (const bytes of body) {
    open += bytes.length;
    parser.feed(decoder.decode(bytes, { stream: true }));
    if (open > maxEventBytes) throw oversizedEvent(maxEventBytes);
    while (pending.length > 0) yield pending.shift() as SseEvent;
  }
  parser.feed(decoder.decode());
  // A last event without its closing blank line still counts.
  parser.feed("\n\n");
  while (pending.length > 0) yield pending.shift() as SseEvent;
}

/** The failure of a stream whose event outgrew `maxEventBytes` (the upstream_max_event_bytes setting). */
export function oversizedEvent(maxEventBytes: number): GatewayError {
  return new GatewayError(
    "upstream_error",
    `The provider sent an event larger than ${maxEventBytes} bytes.`,
    {
      status: 502,
    },
  );
}
