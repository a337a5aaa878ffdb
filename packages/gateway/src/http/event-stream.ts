import { EventResponse } from "./event-response.js";

/**
 * Server-sent events with event names (`event: x` + `data: {…}`), as Anthropic's Messages stream and
 * OpenAI's Responses stream frame them; the chat stream's SseWriter speaks bare `data:` with a
 * `[DONE]` marker instead.
 */
export class EventStreamWriter extends EventResponse {
  /** Writes one named event; resolves once the client took it when the socket buffer is full. */
  send(event: string, data: unknown): Promise<void> | undefined {
    return this.sendText(event, JSON.stringify(data));
  }

  /** Writes one named event whose data is already serialised (a relayed upstream frame). */
  sendText(event: string, data: string): Promise<void> | undefined {
    this.write(`event: ${event}\ndata: ${data}\n\n`);
    return this.drained();
  }

  end(): void {
    this.endWith();
  }
}
