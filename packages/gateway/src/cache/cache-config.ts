// A cycle with config.ts, harmless: ConfigError is only used when loadCacheConfig runs.
import { ConfigError } from "../config/config.js";
import type { CacheLimits } from "./types.js";

/** How the response cache is bounded; from MESHAPI_CACHE_* variables. */
export interface CacheConfig extends CacheLimits {
  /** False (MESHAPI_CACHE=off) turns the cache off for every key and request. */
  enabled: boolean;
}

export const CACHE_DEFAULTS: CacheConfig = {
  enabled: true,
  maxEntries: 10_000,
  maxBytes: 256 * 1024 * 1024,
  maxEntryBytes: 1024 * 1024,
};

function positive(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === "") return undefined;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 1)
    throw new ConfigError(`${name} must be a positive integer, not "${raw}"`);
  return n;
}

/** Reads MESHAPI_CACHE, MESHAPI_CACHE_MAX_ENTRIES, _MAX_BYTES, and _MAX_ENTRY_BYTES. */
export function loadCacheConfig(env: NodeJS.ProcessEnv): CacheConfig {
  const switched = env.MESHAPI_CACHE?.trim().toLowerCase();
  return {
    enabled: !(switched === "off" || switched === "false" || switched === "0"),
    maxEntries: positive(env, "MESHAPI_CACHE_MAX_ENTRIES") ?? CACHE_DEFAULTS.maxEntries,
    maxBytes: positive(env, "MESHAPI_CACHE_MAX_BYTES") ?? CACHE_DEFAULTS.maxBytes,
    maxEntryBytes: positive(env, "MESHAPI_CACHE_MAX_ENTRY_BYTES") ?? CACHE_DEFAULTS.maxEntryBytes,
  };
}

/** The longest TTL a key setting or a request's `cache.ttl` may ask for: 30 days, in seconds. */
export const MAX_CACHE_TTL_SECONDS = 30 * 86_400;
