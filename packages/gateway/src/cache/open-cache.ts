import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Logger } from "pino";
import type { GatewayConfig } from "../config/config.js";
import { logThrottle } from "../logging.js";
import { SqliteCache } from "./sqlite-cache.js";
import type { ResponseCache } from "./types.js";

export const CACHE_FILE_NAME = "cache.sqlite";

/**
 * Redis when MESHAPI_REDIS_URL is set (shared by every instance), otherwise a SQLite file in the data
 * directory; undefined when MESHAPI_CACHE=off.
 */
export async function openCache(
  config: GatewayConfig,
  log: Logger,
  now?: () => number,
): Promise<ResponseCache | undefined> {
  if (!config.cache.enabled) return undefined;
  const clock = now ? { now } : {};
  if (!config.redisUrl) {
    // With PostgreSQL but no Redis, nothing else has created the data directory.
    mkdirSync(config.dataDir, { recursive: true });
    return new SqliteCache({ file: join(config.dataDir, CACHE_FILE_NAME), limits: config.cache, ...clock });
  }
  // Loaded only here: an embedded gateway never pays for ioredis.
  const { RedisCache } = await import("./redis-cache.js");
  const downLogDue = logThrottle();
  const cache = new RedisCache({
    url: config.redisUrl,
    prefix: config.redisPrefix,
    limits: config.cache,
    ...clock,
    onError: (err) => {
      if (downLogDue())
        log.error({ err: (err as Error).message }, "response cache: Redis unreachable; every lookup misses");
    },
  });
  await cache.connect();
  return cache;
}
