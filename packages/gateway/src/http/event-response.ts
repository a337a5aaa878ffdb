import type { ServerResponse } from "node:http";

/**
 * A `text/event-stream` response on a raw Node response: the head written once the upstream has
 * answered, frames batched per tick and written as one chunk, and backpressure. Batching: the frames
 * one upstream read produces are all written while the relay handles that read, before the next
 * tick, so they go out in one `write` (one chunk of the chunked body, one syscall) instead of one each.
 * Backpressure: while the socket's buffer is over its high-water mark, `drained()` is pending, so a
 * slow client slows the upstream read instead of growing a buffer in the gateway. The chat stream
 * (SseWriter) and the named-event streams (EventStreamWriter) differ only in how a frame reads.
 */
export abstract class EventResponse {
  private opened = false;
  private backlog: Promise<void> | undefined;
  /** Frames written this tick, not yet handed to the socket. */
  private pending = "";

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

  /** Queues one whole frame for this tick's write, unless the client has gone. */
  protected write(frame: string): void {
    if (!this.writable) return;
    if (this.pending === "") process.nextTick(this.flush);
    this.pending += frame;
  }

  /** Ends the response with what is queued and then `last`, in one write. */
  protected endWith(last = ""): void {
    const out = this.pending + last;
    this.pending = "";
    if (!this.writable) return;
    if (out === "") this.res.end();
    else this.res.end(out);
  }

  private readonly flush = (): void => {
    const out = this.pending;
    this.pending = "";
    if (out === "" || !this.writable || this.res.write(out)) return;
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
  };
}
