import type { Logger } from "pino";
import type { GatewayConfig } from "../config/config.js";
import { logThrottle } from "../logging.js";
import { type DeploymentHealth, LocalHealth } from "./health.js";

/** Breakers shared through Redis when MESHAPI_REDIS_URL is set (shared mode), else in this process. */
export async function openHealth(config: GatewayConfig, log: Logger): Promise<DeploymentHealth> {
  if (!config.redisUrl) return new LocalHealth(config.routing.cooldown);
  // Loaded only here: an embedded gateway never pays for ioredis.
  const { RedisHealth } = await import("./redis-health.js");
  const logDue = logThrottle();
  return RedisHealth.open({
    url: config.redisUrl,
    prefix: config.redisPrefix,
    policy: config.routing.cooldown,
    onError: (err) => {
      if (logDue()) {
        log.warn(
          { err: (err as Error).message },
          "deployment health: Redis unreachable; cooldowns follow this instance's own failures until it is back",
        );
      }
    },
  });
}
