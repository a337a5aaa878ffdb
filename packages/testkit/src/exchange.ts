/**
 * One request/response pair plus the bookkeeping every handler needs: the parsed body, the
 * request record, and whether the client is still there. Handlers never touch the recorder.
 */
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from "node:http";
import type { RecordedRequest } from "./types.js";

export class Exchange {
  /** Becomes true when the connection closed before the response ended. */
  gone = false;
  /** Set when the simulator cut the connection on purpose (not a client abort). */
  private cutByServer = false;
  /** The simulator's standing faults for this request (`Simulator.setFaults`), as directive text. */
  standing: string | undefined;
  private goneWaiters: (() => void)[] | null = null;

  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    /** Path without the query string. */
    readonly path: string,
    /** Raw query string without the `?` ("" when absent). */
    readonly query: string,
    /** Parsed JSON body; undefined when the body was not valid JSON, null when empty. */
    readonly body: unknown,
    readonly record: RecordedRequest | null,
  ) {
    res.once("close", () => {
      if (res.writableFinished) return;
      this.gone = true;
      if (this.record !== null && !this.cutByServer) this.record.aborted = true;
      const waiters = this.goneWaiters;
      this.goneWaiters = null;
      if (waiters !== null) for (const wake of waiters) wake();
    });
    if (record !== null) {
      res.once("finish", () => {
        record.finished = true;
      });
    }
  }

  /** Resolves when the client disconnects (used by `hang`). */
  whenGone(): Promise<void> {
    if (this.gone) return Promise.resolve();
    return new Promise((resolve) => {
      if (this.goneWaiters === null) this.goneWaiters = [];
      this.goneWaiters.push(resolve);
    });
  }

  /** Waits `ms`, waking early when the client leaves; resolves to false if it left. */
  sleep(ms: number): Promise<boolean> {
    if (this.gone) return Promise.resolve(false);
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const wake = (): void => {
        clearTimeout(timer);
        resolve(false);
      };
      timer = setTimeout(() => {
        const waiters = this.goneWaiters;
        if (waiters !== null) {
          const i = waiters.indexOf(wake);
          if (i !== -1) waiters.splice(i, 1);
        }
        resolve(!this.gone);
      }, ms);
      if (this.goneWaiters === null) this.goneWaiters = [];
      this.goneWaiters.push(wake);
    });
  }

  writeHead(status: number, headers: OutgoingHttpHeaders): void {
    if (this.record !== null) this.record.status = status;
    this.res.writeHead(status, headers);
  }

  /** Sends a complete JSON response. */
  json(status: number, payload: unknown, headers?: OutgoingHttpHeaders): void {
    if (this.gone) return;
    const text = JSON.stringify(payload);
    this.writeHead(status, {
      "content-type": "application/json",
      "content-length": Buffer.byteLength(text),
      ...headers,
    });
    this.res.end(text);
  }

  /** Writes one pre-serialised chunk unless the client has gone. */
  write(chunk: string | Uint8Array): void {
    if (!this.gone) this.res.write(chunk);
  }

  end(chunk?: string): void {
    if (this.gone) return;
    if (chunk === undefined) this.res.end();
    else this.res.end(chunk);
  }

  /** A deliberate reset before any byte of the response. */
  reset(): void {
    if (this.gone) return;
    this.cutByServer = true;
    this.res.socket?.destroy();
  }

  /**
   * A deliberate mid-response cut: flushes `chunk` (and the headers) and then destroys the
   * socket, so the client sees a body that ends without its terminator.
   */
  cut(chunk?: string): void {
    if (this.gone) return;
    this.cutByServer = true;
    if (chunk !== undefined && chunk !== "") this.res.write(chunk);
    else this.res.flushHeaders();
    // destroySoon = end after pending writes are flushed, then destroy: nothing written is lost.
    this.res.socket?.destroySoon();
  }
}
