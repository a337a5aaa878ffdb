import type { ErrorEnvelope } from "../errors/catalog.js";
import type { EventSink } from "../pipeline/stream-relay.js";
import { EventResponse } from "./event-response.js";

/** The part of the writer a chat response uses (the response cache records through it). */
export type SseChannel = Pick<SseWriter, "open" | "send" | "drained" | "fail" | "done">;

/** The chat stream: bare `data:` events, ended by `data: [DONE]`. */
export class SseWriter extends EventResponse implements EventSink {
  send(json: string): void {
    this.write(`data: ${json}\n\n`);
  }

  /** An in-band error after the stream started: the status is already 200, so the error is an event. */
  fail(envelope: ErrorEnvelope): void {
    this.send(JSON.stringify(envelope));
    this.done();
  }

  done(): void {
    this.endWith("data: [DONE]\n\n");
  }
}
