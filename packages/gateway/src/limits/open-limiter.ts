import type { Logger } from "pino";
import type { GatewayConfig } from "../config/config.js";
import { logThrottle } from "../logging.js";
import type { Store } from "../store/types.js";
import { MemoryLimiter } from "./memory-limiter.js";
import type { Limiter } from "./types.js";

/** Redis when MESHAPI_REDIS_URL is set (shared by every instance), otherwise in-process counters. */
export async function openLimiter(config: GatewayConfig, store: Store, log: Logger): Promise<Limiter> {
  if (!config.redisUrl) {
    if (config.databaseUrl) {
      log.warn(
        "MESHAPI_DATABASE_URL is set but MESHAPI_REDIS_URL is not: rate limits and spend caps are counted per process",
      );
    }
    return MemoryLimiter.create(store);
  }
  // Loaded only here: an embedded gateway never pays for ioredis in memory or start-up time.
  const { RedisLimiter } = await import("./redis-limiter.js");
  const settleLogDue = logThrottle();
  let unlogged = 0;
  const limiter = new RedisLimiter({
    url: config.redisUrl,
    prefix: config.redisPrefix,
    store,
    leases: config.redisLeases,
    onSettleError: (err, settles) => {
      // One line per 10 s at most, counting the settles lost since the last one.
      unlogged += settles;
      if (!settleLogDue()) return;
      log.error(
        { err: (err as Error).message, settles: unlogged },
        "settling limits in Redis failed; those requests' slots and reservations stay booked",
      );
      unlogged = 0;
    },
  });
  const downLogDue = logThrottle();
  await limiter.connect((err) => {
    // ioredis reports every failed reconnect; one line per 10 s says the same.
    if (!downLogDue()) return;
    log.error(
      { err: (err as Error).message, onLimiterDown: config.onLimiterDown, onSpendDown: config.onSpendDown },
      "Redis unreachable; limits follow the configured policy until it is back",
    );
  });
  return limiter;
}
