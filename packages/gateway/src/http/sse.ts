import type { ServerResponse } from "node:http";
import type { ErrorEnvelope } from "../errors/catalog.js";
import type { EventSink } from "../pipeline/stream-relay.js";

/** The part of the writer a chat response uses (the response cache records through it). */
export type SseChannel = Pick<SseWriter, "open" | "send" | "drained" | "fail" | "done">;

/**
 * Server-sent events on a raw Node response. Each event is written as it comes (Node's sockets have
 * Nagle off), so nothing batches events; headers are written only when the upstream has answered.
 */
export class SseWriter implements EventSink {
  private opened = false;
  /** Pending while the socket's buffer is over its high-water mark. */
  private backlog: Promise<void> | undefined;

  constructor(
    private readonly res: ServerResponse,
    private readonly headers: Record<string, string>,
  ) {}

  get isOpen(): boolean {
    return this.opened;
  }

  /** False once the client has gone away; writes after that are dropped. */
  get writable(): boolean {
    return !this.res.destroyed && !this.res.writableEnded;
  }

  open(): void {
    if (this.opened) return;
    this.opened = true;
    this.res.writeHead(200, {
      ...this.headers,
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache",
      connection: "keep-alive",
      // Stops nginx-style proxies from buffering the stream.
      "x-accel-buffering": "no",
    });
  }

  send(json: string): void {
    if (this.writable && !this.res.write(`data: ${json}\n\n`)) {
      this.backlog ??= new Promise<void>((resolve) => {
        const done = () => {
          this.res.off("drain", done);
          this.res.off("close", done);
          this.backlog = undefined;
          resolve();
        };
        this.res.on("drain", done);
        this.res.on("close", done);
      });
    }
  }

  drained(): Promise<void> | undefined {
    return this.backlog;
  }

  /** An in-band error after the stream started: the status is already 200, so the error is an event. */
  fail(envelope: ErrorEnvelope): void {
    this.send(JSON.stringify(envelope));
    this.done();
  }

  done(): void {
    if (!this.writable) return;
    this.res.end("data: [DONE]\n\n");
  }
}
