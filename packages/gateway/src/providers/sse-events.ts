import { createParser } from "eventsource-parser";

export interface SseEvent {
  event: string | undefined;
  data: string;
}

/**
 * Decodes an upstream byte stream into SSE events. Chunk and UTF-8 boundaries, CR/LF variants and
 * comment lines (OpenRouter's `: OPENROUTER PROCESSING`) are the parser's job.
 */
export async function* sseEvents(body: AsyncIterable<Uint8Array>): AsyncGenerator<SseEvent> {
  const pending: SseEvent[] = [];
  const parser = createParser({ onEvent: (e) => pending.push({ event: e.event, data: e.data }) });
  const decoder = new TextDecoder();
  for await (const bytes of body) {
    parser.feed(decoder.decode(bytes, { stream: true }));
    while (pending.length > 0) yield pending.shift() as SseEvent;
  }
  parser.feed(decoder.decode());
  // A last event without its closing blank line still counts.
  parser.feed("\n\n");
  while (pending.length > 0) yield pending.shift() as SseEvent;
}
