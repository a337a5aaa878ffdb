/**
 * The bounded request log. Records are appended to an array that is compacted only when it
 * reaches twice the cap, so recording stays O(1) amortised on the hot path.
 */
import type { IncomingMessage } from "node:http";
import type { RecordedRequest } from "./types.js";

export class Recorder {
  private log: RecordedRequest[] = [];
  private seq = 0;

  constructor(
    readonly enabled: boolean,
    private readonly cap: number,
  ) {}

  /** Starts a record for `req`; null when recording is off. */
  start(req: IncomingMessage, path: string): RecordedRequest | null {
    if (!this.enabled) return null;
    this.seq += 1;
    const record: RecordedRequest = {
      id: `simreq_${this.seq}`,
      method: req.method ?? "GET",
      path,
      url: req.url ?? path,
      headers: req.headers,
      body: null,
      receivedAt: Date.now(),
      status: null,
      aborted: false,
      finished: false,
    };
    this.log.push(record);
    if (this.log.length >= this.cap * 2) this.log = this.log.slice(-this.cap);
    return record;
  }

  list(): RecordedRequest[] {
    return this.log.length > this.cap ? this.log.slice(-this.cap) : this.log.slice();
  }

  clear(): void {
    this.log = [];
  }
}
