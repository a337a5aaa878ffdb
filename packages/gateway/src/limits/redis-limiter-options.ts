import type { Store } from "../store/types.js";

/** How a RedisLimiter (redis-limiter.ts) is set up; only `url`, `prefix` and `store` are required. */
export interface RedisLimiterOptions {
  url: string;
  /** Prepended to every key, so several deployments (or test runs) can share one Redis. */
  prefix: string;
  store: Store;
  /**
   * An instance that has made no call for a key for this long (crashed, or cut off from Redis) stops
   * counting against that key's max_concurrent: its requests' slots come back.
   */
  slotTtlMs?: number;
  /** Most requests per script call (Lua's argument stack is finite). */
  maxBatch?: number;
  /**
   * How long a settle may wait to ride along with the key's next admission instead of costing a call
   * of its own (default 12 ms); for a key with a lease, until that lease ends at the latest, since its
   * renewal comes before. Meanwhile its slot and reservation stay booked (stricter, never looser) and
   * its tokens are not yet counted against tpm.
   */
  settleDelayMs?: number;
  /** False: never ask for leases, every admission is a script call (default true; see lease.ts). */
  leases?: boolean;
  /**
   * Settles (or leases given back) given up: Redis refused their call with an error, or they were still
   * not booked when the limiter closed (or a caller of `settled` stopped waiting). Those requests'
   * slots, reservations and tokens stay booked (stricter, never looser). A call that failed for want of
   * a connection is not reported: its settles go again until Redis books them. `settle` itself returns
   * nothing: a promise per request measured several µs of event-loop CPU per request under load.
   */
  onSettleError?: (err: unknown, settles: number) => void;
}
