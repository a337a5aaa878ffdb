import { z } from "zod";
import { MAX_CACHE_TTL_SECONDS } from "../cache/cache-config.js";
import { type KeyCacheSettings, NO_CACHE } from "../store/types.js";

/** A namespace name: what keys that share cached answers have in common. */
export const CACHE_NAMESPACE = /^[A-Za-z0-9._-]{1,64}$/;

/** Cache fields as the admin API takes and shows them; `null` turns a setting off. */
export const cacheFields = {
  cache_ttl_seconds: z.number().int().positive().max(MAX_CACHE_TTL_SECONDS).nullable().optional(),
  cache_namespace: z
    .string()
    .regex(CACHE_NAMESPACE, "1-64 characters of A-Z, a-z, 0-9, '.', '_' or '-'")
    .nullable()
    .optional(),
};

export type CacheFields = {
  cache_ttl_seconds?: number | null | undefined;
  cache_namespace?: string | null | undefined;
};

export function fromCacheFields(f: CacheFields): Partial<KeyCacheSettings> {
  const cache: Partial<KeyCacheSettings> = {};
  if (f.cache_ttl_seconds !== undefined) cache.ttlSeconds = f.cache_ttl_seconds;
  if (f.cache_namespace !== undefined) cache.namespace = f.cache_namespace;
  return cache;
}

export interface CacheView {
  cache_ttl_seconds: number | null;
  cache_namespace: string | null;
}

export function toCacheView(c: KeyCacheSettings | undefined): CacheView {
  const settings = c ?? NO_CACHE;
  return { cache_ttl_seconds: settings.ttlSeconds, cache_namespace: settings.namespace };
}

/** For the CLI: "cache 300 s, namespace team-a", or "cache off". */
export function describeCache(c: KeyCacheSettings | undefined): string {
  const settings = c ?? NO_CACHE;
  const ttl = settings.ttlSeconds === null ? "cache off" : `cache ${settings.ttlSeconds} s`;
  return settings.namespace === null ? ttl : `${ttl}, namespace ${settings.namespace}`;
}
