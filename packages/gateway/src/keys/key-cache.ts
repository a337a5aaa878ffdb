import type { ApiKeyRecord, Store } from "../store/types.js";
import { hashesEqual, hashKey } from "./key-format.js";

export interface KeyCacheOptions {
  /** How often to ask the store what changed; revocations elsewhere land within this plus a query. */
  pollIntervalMs: number;
  /** Unknown keys are remembered as unknown this long, so a flood of bad keys cannot flood the store. */
  negativeTtlMs: number;
  /** At most this many unknown hashes are remembered. */
  maxNegativeEntries: number;
  onPollError?: (err: unknown) => void;
}

/** Rows written by another process may carry a clock a little behind ours; re-read this far back. */
const CLOCK_SKEW_OVERLAP_MS = 10_000;

/**
 * Keeps every key the gateway has seen in memory, keyed by hash, so authenticating a request costs a
 * SHA-256 and a map lookup. A poller reads the rows changed since its last look (with an overlap for
 * clock skew) and updates or evicts entries, which is how a revoke done by the CLI or another instance
 * reaches this one within `pollIntervalMs`.
 */
export class KeyCache {
  private readonly known = new Map<string, ApiKeyRecord>();
  private readonly unknown = new Map<string, number>();
  private readonly inflight = new Map<string, Promise<ApiKeyRecord | undefined>>();
  private cursor = 0;
  private timer: NodeJS.Timeout | undefined;
  private polling = false;

  constructor(
    private readonly store: Store,
    private readonly options: KeyCacheOptions,
  ) {}

  /** Loads the keys that exist now and starts polling. */
  async start(): Promise<void> {
    this.cursor = Date.now();
    for (const key of await this.store.listKeys()) this.known.set(key.keyHash, key);
    this.timer = setInterval(() => {
      // A slow store must not pile polls on top of each other.
      if (this.polling) return;
      this.polling = true;
      this.poll()
        .catch((err) => this.options.onPollError?.(err))
        .finally(() => {
          this.polling = false;
        });
    }, this.options.pollIntervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /**
   * The key record for a presented secret, or undefined when no such key exists (or it was deleted).
   * Answered synchronously from memory whenever it can be — the hot path awaits nothing — and with a
   * promise only when the store must be asked.
   */
  lookup(secret: string): ApiKeyRecord | undefined | Promise<ApiKeyRecord | undefined> {
    const hash = hashKey(secret);
    const hit = this.known.get(hash);
    if (hit) return hashesEqual(hit.keyHash, hash) && hit.deletedAt === null ? hit : undefined;
    const missUntil = this.unknown.get(hash);
    if (missUntil !== undefined && missUntil > Date.now()) return undefined;
    // Concurrent requests with the same new key share one store query.
    let pending = this.inflight.get(hash);
    if (!pending) {
      pending = this.fetch(hash).finally(() => this.inflight.delete(hash));
      this.inflight.set(hash, pending);
    }
    return pending;
  }

  /** Applies a change made by this process at once, without waiting for the poller. */
  remember(key: ApiKeyRecord): void {
    this.unknown.delete(key.keyHash);
    this.known.set(key.keyHash, key);
  }

  /** One polling round; exposed so tests and shutdown can force it. */
  async poll(): Promise<void> {
    const startedAt = Date.now();
    const changed = await this.store.keysChangedSince(this.cursor - CLOCK_SKEW_OVERLAP_MS);
    for (const key of changed) {
      const current = this.known.get(key.keyHash);
      if (!current || key.updatedAt >= current.updatedAt) this.known.set(key.keyHash, key);
      this.unknown.delete(key.keyHash);
    }
    this.cursor = startedAt;
  }

  private async fetch(hash: string): Promise<ApiKeyRecord | undefined> {
    const key = await this.store.findKeyByHash(hash);
    if (key) {
      this.known.set(hash, key);
      return key.deletedAt === null ? key : undefined;
    }
    if (this.unknown.size >= this.options.maxNegativeEntries) {
      // Drop the oldest entry; Map iteration order is insertion order.
      const oldest = this.unknown.keys().next().value;
      if (oldest !== undefined) this.unknown.delete(oldest);
    }
    this.unknown.set(hash, Date.now() + this.options.negativeTtlMs);
    return undefined;
  }
}
