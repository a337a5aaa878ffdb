import { Redis } from "ioredis";
import {
  type CachedAnswer,
  type CacheLimits,
  decodeAnswer,
  encodeAnswer,
  type ResponseCache,
} from "./types.js";

export interface RedisCacheOptions {
  url: string;
  /** Prefix of every Redis key (MESHAPI_REDIS_PREFIX). */
  prefix: string;
  limits: CacheLimits;
  /** Unix ms; injectable so that tests can move time instead of waiting. */
  now?: () => number;
  /** Connection errors, as ioredis reports them (every reconnect attempt). */
  onError?: (err: unknown) => void;
}

/**
 * Stores one entry and keeps the bounds, atomically. KEYS: the entry, the index (a sorted set of entry
 * names by expiry time), the sizes (a hash of entry name → bytes) and the byte total. ARGV: the value,
 * its TTL in ms, its expiry time, the current time, max entries, max bytes, the value's size. Entries
 * that have expired leave the index first; then, while a bound is exceeded, the entry closest to expiry.
 * Each call evicts at most 1,000 entries, so one call can never stall Redis.
 */
const SET_LUA = `
local entry, index, sizes, total = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local size = tonumber(ARGV[7])
local function evict(name)
  local b = tonumber(redis.call('HGET', sizes, name) or '0')
  redis.call('DEL', name)
  redis.call('ZREM', index, name)
  redis.call('HDEL', sizes, name)
  redis.call('DECRBY', total, b)
end
local old = tonumber(redis.call('HGET', sizes, entry) or '0')
redis.call('SET', entry, ARGV[1], 'PX', ARGV[2])
redis.call('ZADD', index, ARGV[3], entry)
redis.call('HSET', sizes, entry, size)
local bytes = redis.call('INCRBY', total, size - old)
local budget = 1000
for _, name in ipairs(redis.call('ZRANGEBYSCORE', index, '-inf', ARGV[4], 'LIMIT', 0, budget)) do
  evict(name)
  budget = budget - 1
end
local maxEntries, maxBytes = tonumber(ARGV[5]), tonumber(ARGV[6])
bytes = tonumber(redis.call('GET', total) or '0')
while budget > 0 and (redis.call('ZCARD', index) > maxEntries or bytes > maxBytes) do
  local first = redis.call('ZRANGE', index, 0, 0)[1]
  if not first then break end
  evict(first)
  bytes = tonumber(redis.call('GET', total) or '0')
  budget = budget - 1
end
return bytes
`;

type CacheCommands = {
  meshCacheSet(
    entry: string,
    index: string,
    sizes: string,
    total: string,
    value: string,
    ttlMs: number,
    expiresAt: number,
    now: number,
    maxEntries: number,
    maxBytes: number,
    size: number,
  ): Promise<number>;
};

/**
 * The shared cache: every gateway instance reads and writes the same entries. An entry's value is
 * `<expiry ms>|<answer JSON>`; Redis expires it by itself (PX), and a read also checks the expiry
 * against this process's clock, so an injected clock works in tests. All keys share one hash tag, so
 * the script's keys live in one slot.
 */
export class RedisCache implements ResponseCache {
  readonly kind = "redis";
  private readonly redis: Redis & CacheCommands;
  private readonly now: () => number;
  private readonly base: string;
  private readonly pending = new Set<Promise<void>>();

  get maxEntryBytes(): number {
    return this.options.limits.maxEntryBytes;
  }

  constructor(private readonly options: RedisCacheOptions) {
    this.now = options.now ?? Date.now;
    this.base = `${options.prefix}cache:{c}:`;
    // Without an offline queue a lookup fails at once while Redis is down (and counts as a miss).
    const redis = new Redis(options.url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: 2_000,
    });
    redis.defineCommand("meshCacheSet", { numberOfKeys: 4, lua: SET_LUA });
    this.redis = redis as Redis & CacheCommands;
  }

  async connect(): Promise<void> {
    const onError = this.options.onError ?? (() => {});
    this.redis.on("error", onError);
    await this.redis.connect().catch(onError);
  }

  async get(key: string): Promise<CachedAnswer | undefined> {
    const raw = await this.redis.get(this.base + key);
    if (raw === null) return undefined;
    const bar = raw.indexOf("|");
    if (bar < 0 || Number(raw.slice(0, bar)) <= this.now()) return undefined;
    return decodeAnswer(raw.slice(bar + 1));
  }

  set(key: string, answer: () => CachedAnswer | undefined, ttlMs: number): Promise<void> {
    if (ttlMs <= 0) return Promise.resolve();
    const write = new Promise<void>((resolve) => setImmediate(resolve)).then(() =>
      this.write(key, answer, ttlMs),
    );
    this.pending.add(write);
    const forget = () => this.pending.delete(write);
    write.then(forget, forget);
    return write;
  }

  private async write(key: string, answer: () => CachedAnswer | undefined, ttlMs: number): Promise<void> {
    const built = answer();
    if (!built) return;
    const now = this.now();
    const value = `${now + ttlMs}|${encodeAnswer(built)}`;
    const size = Buffer.byteLength(value);
    const { maxEntries, maxBytes, maxEntryBytes } = this.options.limits;
    if (size > maxEntryBytes) return;
    await this.redis.meshCacheSet(
      this.base + key,
      `${this.base}index`,
      `${this.base}sizes`,
      `${this.base}bytes`,
      value,
      Math.ceil(ttlMs),
      now + ttlMs,
      now,
      maxEntries,
      maxBytes,
      size,
    );
  }

  async flush(): Promise<void> {
    await Promise.allSettled([...this.pending]);
  }

  /** Entries in the index and bytes booked (tests, ops). */
  async size(): Promise<{ entries: number; bytes: number }> {
    const [entries, bytes] = await Promise.all([
      this.redis.zcard(`${this.base}index`),
      this.redis.get(`${this.base}bytes`),
    ]);
    return { entries, bytes: Number(bytes ?? 0) };
  }

  async close(): Promise<void> {
    await this.flush();
    this.redis.disconnect();
  }
}
