import { Counter, Gauge, type Registry } from "prom-client";
import type { Limiter } from "../limits/types.js";
import type { Store } from "../store/types.js";
import type { UsageWriter } from "../usage/usage-writer.js";

export interface HealthSources {
  usage: UsageWriter;
  store: Store;
  limiter: Limiter;
}

/** A scrape must not hang on a dead database: past this the store counts as down. */
const PING_TIMEOUT_MS = 2_000;

/**
 * Series read when Prometheus scrapes, not kept up to date per request: the usage writer's queue and
 * drops, and whether the store and Redis answer. Nothing here touches the request path.
 */
export function defineHealthGauges(registry: Registry, src: HealthSources): void {
  const registers = [registry];
  new Gauge({
    name: "meshapi_usage_queue_depth",
    help: "Usage events recorded and not yet written to the store",
    registers,
    collect() {
      this.set(src.usage.pending);
    },
  });
  let droppedSeen = 0;
  new Counter({
    name: "meshapi_usage_events_dropped_total",
    help: "Usage events dropped because the queue was full (the store kept failing)",
    registers,
    collect() {
      const total = src.usage.dropped;
      if (total > droppedSeen) this.inc(total - droppedSeen);
      droppedSeen = total;
    },
  });
  new Gauge({
    name: "meshapi_store_up",
    help: "1 when the store (SQLite or PostgreSQL) answered a ping during this scrape, else 0",
    labelNames: ["dialect"],
    registers,
    async collect() {
      this.set({ dialect: src.store.dialect }, (await pingWithin(src.store, PING_TIMEOUT_MS)) ? 1 : 0);
    },
  });
  if (redisStatus(src.limiter) === undefined) return; // embedded mode: there is no Redis to report
  new Gauge({
    name: "meshapi_redis_up",
    help: "Shared mode: 1 while the connection to Redis is ready, else 0",
    registers,
    collect() {
      this.set(redisStatus(src.limiter) === "ready" ? 1 : 0);
    },
  });
}

async function pingWithin(store: Store, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([store.ping().then(() => true), timeout]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/** The ioredis connection status of a shared limiter; undefined for the in-process one. */
function redisStatus(limiter: Limiter): string | undefined {
  const redis = (limiter as { redis?: { status?: unknown } }).redis;
  return limiter.kind === "redis" && typeof redis?.status === "string" ? redis.status : undefined;
}
