import type { Store, UsageEvent } from "../store/types.js";

export interface UsageWriterOptions {
  /** Write when this many events are queued … */
  batchSize: number;
  /** … or when the oldest queued event is this old. */
  flushIntervalMs: number;
  /** Past this many queued events (store down for long), the oldest are dropped and counted. */
  maxQueued: number;
  /** False: `record` drops every event (accounting switched off); defaults to true. */
  enabled?: boolean;
  onError: (err: unknown, batchSize: number) => void;
}

/**
 * Takes usage events off the request path: `record` only queues; batches are written in one
 * transaction each. A failed batch goes back to the front of the queue and is retried on the next
 * tick, so a store hiccup loses nothing; `flush` drains everything (graceful shutdown).
 */
export class UsageWriter {
  /** Queued events are `queue[head…]`: taking a batch or dropping the oldest moves an index, not the array. */
  private queue: UsageEvent[] = [];
  private head = 0;
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;
  private droppedCount = 0;

  constructor(
    private readonly store: Store,
    private readonly options: UsageWriterOptions,
  ) {}

  get pending(): number {
    return this.queue.length - this.head;
  }

  get dropped(): number {
    return this.droppedCount;
  }

  record(event: UsageEvent): void {
    if (this.options.enabled === false) return;
    this.queue.push(event);
    const excess = this.pending - this.options.maxQueued;
    if (excess > 0) {
      // Store down for long: the oldest go, counted. An index move, so each request stays O(1).
      this.head += excess;
      this.droppedCount += excess;
      this.compact();
    }
    if (this.pending >= this.options.batchSize) void this.writeOnce();
    else if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        void this.writeOnce();
      }, this.options.flushIntervalMs);
      this.timer.unref();
    }
  }

  /** Takes up to `n` of the oldest events; the common case (all of them) hands over the array itself. */
  private take(n: number): UsageEvent[] {
    if (this.head === 0 && this.queue.length <= n) {
      const all = this.queue;
      this.queue = [];
      return all;
    }
    const batch = this.queue.slice(this.head, this.head + n);
    this.head += batch.length;
    this.compact();
    return batch;
  }

  /** Drops the consumed front of the array once it is most of it (amortised O(1) per event). */
  private compact(): void {
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
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
    if (this.pending === 0) return Promise.resolve();
    const batch = this.take(this.options.batchSize);
    this.writing = this.store
      .insertUsageEvents(batch)
      .catch((err) => {
        // Back to the front, to be retried first (rare: the store failed).
        this.queue = batch.concat(this.queue.slice(this.head));
        this.head = 0;
        this.options.onError(err, batch.length);
      })
      .finally(() => {
        this.writing = undefined;
        if (this.pending > 0 && !this.timer) {
          this.timer = setTimeout(() => {
            this.timer = undefined;
            void this.writeOnce();
          }, this.options.flushIntervalMs);
          this.timer.unref();
        }
      });
    return this.writing;
  }
}
