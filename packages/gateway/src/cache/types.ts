/**
 * The response cache: complete, successful chat answers stored under a hash of the normalised request
 * (see cache-key.ts), replayed for the same request within their TTL. Implementations: SQLite in
 * embedded mode (sqlite-cache.ts), Redis in shared mode (redis-cache.ts).
 */

/** One stored answer, exactly as the client received it except `usage.cost`, which is 0 on a replay. */
export type CachedAnswer =
  | { kind: "json"; model: string; provider: string | null; body: string }
  | { kind: "stream"; model: string; provider: string | null; events: string[] };

/** Bounds every implementation keeps; past them the entries closest to expiry go first. */
export interface CacheLimits {
  /** Most entries held at once. */
  maxEntries: number;
  /** Most bytes of stored answers held at once. */
  maxBytes: number;
  /** An answer larger than this is not cached at all. */
  maxEntryBytes: number;
}

export interface ResponseCache {
  readonly kind: "sqlite" | "redis";
  /** Answers larger than this are not stored; a recording stops past it. */
  readonly maxEntryBytes: number;
  /** The live answer stored under `key`, or undefined (absent or expired). Rejects when the backend fails. */
  get(key: string): Promise<CachedAnswer | undefined>;
  /**
   * Stores an answer for `ttlMs`. `answer` is called later, on a following turn of the event loop, so
   * that building and encoding it happens after the response went out; it may decline (undefined).
   * Resolves once written (callers do not wait for it); `flush` waits for it too.
   */
  set(key: string, answer: () => CachedAnswer | undefined, ttlMs: number): Promise<void>;
  /** Resolves once every write accepted so far is done (tests, shutdown). */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/** The stored form of an answer; its length in bytes is what counts against `maxBytes`. */
export function encodeAnswer(answer: CachedAnswer): string {
  return JSON.stringify(answer);
}

export function decodeAnswer(text: string): CachedAnswer | undefined {
  const value = JSON.parse(text) as Partial<CachedAnswer>;
  if (value.kind === "json" && typeof value.body === "string") return value as CachedAnswer;
  if (value.kind === "stream" && Array.isArray(value.events)) return value as CachedAnswer;
  return undefined;
}
