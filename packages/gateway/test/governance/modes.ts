import { createTestDatabase } from "../helpers/postgres.js";
import { createTestRedis } from "../helpers/redis.js";

/** Where a suite keeps its state: the embedded default, or shared PostgreSQL + Redis. */
export interface Mode {
  name: "embedded" | "shared";
  enabled: boolean;
  /** Environment for the gateway (and CLI) of this mode; call inside beforeAll. */
  setup(label: string): Promise<{ env: Record<string, string>; drop: () => Promise<void> }>;
}

export const sharedEnabled = Boolean(
  process.env.MESHAPI_TEST_DATABASE_URL && process.env.MESHAPI_TEST_REDIS_URL,
);
export const sharedSkipNote =
  "skipping shared-mode (PostgreSQL + Redis) tests: set MESHAPI_TEST_DATABASE_URL and MESHAPI_TEST_REDIS_URL";

export const MODES: readonly Mode[] = [
  { name: "embedded", enabled: true, setup: async () => ({ env: {}, drop: async () => {} }) },
  {
    name: "shared",
    enabled: sharedEnabled,
    async setup(label) {
      const db = await createTestDatabase(label);
      const redis = createTestRedis(label);
      if (!db || !redis) throw new Error(sharedSkipNote);
      return {
        env: {
          MESHAPI_DATABASE_URL: db.url,
          MESHAPI_REDIS_URL: redis.url,
          MESHAPI_REDIS_PREFIX: redis.prefix,
        },
        async drop() {
          await db.drop();
          await redis.drop();
        },
      };
    },
  },
];
