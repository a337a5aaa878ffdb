import { describe, expect, it } from "vitest";
import { CACHE_DEFAULTS, loadCacheConfig } from "../../src/cache/cache-config.js";
import { ConfigError } from "../../src/config/config.js";

describe("cache config", () => {
  it("is on with the documented bounds by default, and reads MESHAPI_CACHE_*", () => {
    expect(loadCacheConfig({})).toEqual(CACHE_DEFAULTS);
    expect(CACHE_DEFAULTS).toEqual({
      enabled: true,
      maxEntries: 10_000,
      maxBytes: 268_435_456,
      maxEntryBytes: 1_048_576,
    });
    expect(
      loadCacheConfig({
        MESHAPI_CACHE: "off",
        MESHAPI_CACHE_MAX_ENTRIES: "5",
        MESHAPI_CACHE_MAX_BYTES: "6000",
        MESHAPI_CACHE_MAX_ENTRY_BYTES: "700",
      }),
    ).toEqual({ enabled: false, maxEntries: 5, maxBytes: 6000, maxEntryBytes: 700 });
  });

  it("refuses a bound that is not a positive integer, naming the variable", () => {
    for (const value of ["0", "-1", "1.5", "lots"]) {
      expect(() => loadCacheConfig({ MESHAPI_CACHE_MAX_ENTRIES: value })).toThrow(ConfigError);
      expect(() => loadCacheConfig({ MESHAPI_CACHE_MAX_BYTES: value })).toThrow(/MESHAPI_CACHE_MAX_BYTES/);
    }
  });
});
