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
  private queue: UsageEvent[] = [];
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;
  private droppedCount = 0;

  constructor(
    private readonly store: Store,
    private readonly options: UsageWriterOptions,
  ) {}

  get pending(): number {
    return this.queue.length;
  }

  get dropped(): number {
    return this.droppedCount;
  }

  record(event: UsageEvent): void {
    if (this.options.enabled === false) return;
    this.queue.push(event);
    if (this.queue.length > this.options.maxQueued) {
      const excess = this.queue.length - this.options.maxQueued;
      this.queue.splice(0, excess);
      this.droppedCount += excess;
    }
    if (this.queue.length >= this.options.batchSize) void this.writeOnce();
    else if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        void this.writeOnce();
      }, this.options.flushIntervalMs);
      this.timer.unref();
    }
  }

  /** Writes until the queue is empty; throws if the store keeps failing. */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    for (let attempt = 0; this.queue.length > 0 || this.writing; ) {
      if (this.writing) {
        await this.writing;
        continue;
      }
      const before = this.queue.length;
      await this.writeOnce();
      if (this.queue.length >= before && ++attempt >= 3) {
        throw new Error(`could not write ${this.queue.length} usage events`);
      }
    }
  }

  private writeOnce(): Promise<void> {
    if (this.writing) return this.writing;
    if (this.queue.length === 0) return Promise.resolve();
    const batch = this.queue.splice(0, this.options.batchSize);
    this.writing = this.store
      .insertUsageEvents(batch)
      .catch((err) => {
        this.queue.unshift(...batch);
        this.options.onError(err, batch.length);
      })
      .finally(() => {
        this.writing = undefined;
        if (this.queue.length > 0 && !this.timer) {
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
