import type { ServerResponse } from "node:http";

/**
 * A `text/event-stream` response on a raw Node response: the head written once the upstream has
 * answered, frames written as they come (Node's sockets have Nagle off, so nothing batches them), and
 * backpressure: while the socket's buffer is over its high-water mark, `drained()` is pending, so a
 * slow client slows the upstream read instead of growing a buffer in the gateway. The chat stream
 * (SseWriter) and the named-event streams (EventStreamWriter) differ only in how a frame reads.
 */
export abstract class EventResponse {
  private opened = false;
  private backlog: Promise<void> | undefined;

  constructor(
    protected readonly res: ServerResponse,
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

  /** Pending while the socket's buffer is over its high-water mark. */
  drained(): Promise<void> | undefined {
    return this.backlog;
  }

  /** Writes one whole frame, unless the client has gone. */
  protected write(frame: string): void {
    if (this.writable && !this.res.write(frame)) {
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
}
