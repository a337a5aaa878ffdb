import type { Store, UsageEvent } from "../store/types.js";
import { UsageBatch } from "../store/usage-batch.js";

export interface UsageWriterOptions {
  /** Write when this many events are queued … */
  batchSize: number;
  /** … or when the oldest queued event is this old. */
  flushIntervalMs: number;
  /** After a failed write, the next attempt waits this long (default `flushIntervalMs`). */
  retryDelayMs?: number;
  /**
   * Past this many queued events (store down for long), the oldest are dropped and counted, a batch
   * (`batchSize` events) at a time.
   */
  maxQueued: number;
  /** False: `record` drops every event (accounting switched off); defaults to true. */
  enabled?: boolean;
  onError: (err: unknown, batchSize: number) => void;
  /** Called when queued events are dropped (`count` now, `total` since start). */
  onDrop?: (count: number, total: number) => void;
}

/**
 * Takes usage events off the request path: `record` copies the event into the batch being filled (see
 * UsageBatch) and returns; full batches are written one at a time, each in one transaction. A failed
 * batch goes back to the front of the queue and is retried on the next tick, so a store hiccup loses
 * nothing; `flush` drains everything (graceful shutdown).
 *
 * What a crash (`kill -9`) can lose is what is still in memory: events at most `flushIntervalMs` old
 * plus the batch being written. So a batch is never held past its interval: one whose timer fired
 * while another batch was being written goes out as soon as that write ends, not an interval later.
 */
export class UsageWriter {
  /** The batch being filled; full ones move to `full`, oldest first. */
  private filling: UsageBatch | undefined;
  private full: UsageBatch[] = [];
  private fullRows = 0;
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;
  /** The batch being filled has reached its interval (its timer fired): write it at the next chance. */
  private due = false;
  private droppedCount = 0;

  constructor(
    private readonly store: Store,
    private readonly options: UsageWriterOptions,
  ) {}

  /** Events recorded and not yet written (the batch being written excepted). */
  get pending(): number {
    return this.fullRows + (this.filling?.rows ?? 0);
  }

  get dropped(): number {
    return this.droppedCount;
  }

  record(event: UsageEvent): void {
    if (this.options.enabled === false) return;
    const batch = this.filling ?? this.startBatch();
    batch.append(event);
    if (batch.rows >= this.options.batchSize) {
      this.filling = undefined;
      this.due = false;
      this.enqueue(batch);
      void this.writeOnce();
    } else if (!this.timer) {
      this.armTimer(this.options.flushIntervalMs);
    }
  }

  private armTimer(ms: number): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.due = true;
      void this.writeOnce();
    }, ms);
    this.timer.unref();
  }

  private startBatch(): UsageBatch {
    this.filling = new UsageBatch(this.options.batchSize);
    return this.filling;
  }

  private enqueue(batch: UsageBatch): void {
    this.full.push(batch);
    this.fullRows += batch.rows;
    // Store down for long: the oldest batches go, counted; the one being filled always stays.
    let dropped = 0;
    while (this.pending > this.options.maxQueued && this.full.length > 0) {
      const oldest = this.full.shift() as UsageBatch;
      this.fullRows -= oldest.rows;
      dropped += oldest.rows;
    }
    if (dropped > 0) {
      this.droppedCount += dropped;
      this.options.onDrop?.(dropped, this.droppedCount);
    }
  }

  /** The oldest full batch, else the one being filled (a timer or a flush does not wait for it to fill). */
  private take(): UsageBatch | undefined {
    const batch = this.full.shift();
    if (batch) {
      this.fullRows -= batch.rows;
      return batch;
    }
    const partial = this.filling;
    this.filling = undefined;
    this.due = false;
    return partial;
  }

  /** Writes until the queue is empty; throws if the store keeps failing. */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    for (let attempt = 0; this.pending > 0 || this.writing; ) {
      if (this.writing) {
        await this.writing;
        continue;
      }
      const before = this.pending;
      await this.writeOnce();
      if (this.pending >= before && ++attempt >= 3) {
        throw new Error(`could not write ${this.pending} usage events`);
      }
    }
  }

  private writeOnce(): Promise<void> {
    if (this.writing) return this.writing;
    const batch = this.take();
    if (!batch) return Promise.resolve();
    let failed = false;
    this.writing = this.store
      .insertUsageBatch(batch)
      .catch((err) => {
        // Back to the front, to be retried first (rare: the store failed).
        failed = true;
        this.full.unshift(batch);
        this.fullRows += batch.rows;
        this.options.onError(err, batch.rows);
      })
      .finally(() => {
        this.writing = undefined;
        // A backlog of full batches (the store was slow), or a batch that came due meanwhile, goes
        // out back to back; a failing store is retried on the timer, not in a tight loop.
        if (!failed && (this.full.length > 0 || (this.due && this.filling))) void this.writeOnce();
        else if (failed) {
          clearTimeout(this.timer);
          this.armTimer(this.options.retryDelayMs ?? this.options.flushIntervalMs);
        } else if (this.pending > 0 && !this.timer) this.armTimer(this.options.flushIntervalMs);
      });
    return this.writing;
  }
}
