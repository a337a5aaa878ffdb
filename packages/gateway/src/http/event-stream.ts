import type { ServerResponse } from "node:http";

/**
 * Server-sent events with event names (`event: x` + `data: {…}`), as Anthropic's Messages stream and
 * OpenAI's Responses stream frame them; the chat stream's SseWriter speaks bare `data:` with a
 * `[DONE]` marker instead. Headers are written only once the upstream has answered.
 */
export class EventStreamWriter {
  private opened = false;
  private backlog: Promise<void> | undefined;

  constructor(
    private readonly res: ServerResponse,
    private readonly headers: Record<string, string>,
  ) {}

  get isOpen(): boolean {
    return this.opened;
  }

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
      "x-accel-buffering": "no",
    });
  }

  /** Writes one named event; resolves once the client took it when the socket buffer is full. */
  send(event: string, data: unknown): Promise<void> | undefined {
    return this.sendText(event, JSON.stringify(data));
  }

  /** Writes one named event whose data is already serialised (a relayed upstream frame). */
  sendText(event: string, data: string): Promise<void> | undefined {
    if (this.writable && !this.res.write(`event: ${event}\ndata: ${data}\n\n`)) {
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
    return this.backlog;
  }

  /** Pending while the socket's buffer is over its high-water mark. */
  drained(): Promise<void> | undefined {
    return this.backlog;
  }

  end(): void {
    if (this.writable) this.res.end();
  }
}
