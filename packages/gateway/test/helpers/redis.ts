import { Redis } from "ioredis";

/**
 * A Redis key prefix of its own for one test file, its keys deleted afterwards, or undefined (with a
 * visible note) when MESHAPI_TEST_REDIS_URL is not set.
 */
export function createTestRedis(
  label: string,
): { url: string; prefix: string; drop: () => Promise<void> } | undefined {
  const url = process.env.MESHAPI_TEST_REDIS_URL;
  if (!url) return undefined;
  const prefix = `meshapi-test:${label}:${process.pid}:${Date.now().toString(36)}:`;
  return {
    url,
    prefix,
    async drop() {
      const redis = new Redis(url);
      try {
        let cursor = "0";
        do {
          const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
          cursor = next;
          if (keys.length > 0) await redis.del(...keys);
        } while (cursor !== "0");
      } finally {
        redis.disconnect();
      }
    },
  };
}

export const redisSkipNote = "skipping Redis tests: MESHAPI_TEST_REDIS_URL is not set";
