import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll } from "vitest";
import { RedisLimiter } from "../../src/limits/redis-limiter.js";
import type { RedisLimiterOptions } from "../../src/limits/redis-limiter-options.js";
import { openStore } from "../../src/store/open-store.js";
import type { Store } from "../../src/store/types.js";
import type { createTestRedis } from "./redis.js";

/**
 * For one describe block: a SQLite store in a temporary directory and RedisLimiters on the test Redis,
 * all closed afterwards, the store's directory removed and the test prefix dropped.
 */
export function redisLimiterFixture(env: ReturnType<typeof createTestRedis>, label: string) {
  let dir = "";
  let store: Store | undefined;
  const open: RedisLimiter[] = [];
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), `meshapi-${label}-`));
    store = await openStore({ dataDir: dir });
  });
  afterAll(async () => {
    for (const l of open) await l.close();
    await store?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    await env?.drop();
  });
  return {
    store: () => store as Store,
    /** Closed with the fixture; a limiter made elsewhere can be handed in to be closed too. */
    track<T extends RedisLimiter>(limiter: T): T {
      open.push(limiter);
      return limiter;
    },
    async make(options: Omit<RedisLimiterOptions, "url" | "store">): Promise<RedisLimiter> {
      const limiter = new RedisLimiter({ url: env?.url ?? "", store: store as Store, ...options });
      await limiter.connect(() => {});
      open.push(limiter);
      return limiter;
    },
  };
}

/** Counts the script calls a limiter sends to Redis from now on. */
export function countScriptCalls(limiter: RedisLimiter): { calls: number } {
  const counter = { calls: 0 };
  const redis = limiter.redis;
  const send = redis.sendCommand.bind(redis);
  redis.sendCommand = (command, stream) => {
    if (command.name === "evalsha" || command.name === "eval") counter.calls++;
    return send(command, stream);
  };
  return counter;
}
