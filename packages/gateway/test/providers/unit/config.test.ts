import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../../src/config/config.js";
import { BUILTIN_PRICES, computeCost } from "../../../src/config/prices.js";
import { BUILTIN_VENDORS } from "../../../src/config/vendors.js";

const load = (env: Record<string, string>) => loadConfig({ env });

describe("built-in anthropic and google providers", () => {
  it("use their native formats, bare-origin base URLs and vendor env names", () => {
    const { providers } = load({});
    expect(providers.get("anthropic")).toMatchObject({
      format: "anthropic",
      baseUrl: "https://api.anthropic.com",
      apiKeyEnv: "ANTHROPIC_API_KEY",
      baseUrlEnv: "ANTHROPIC_BASE_URL",
      apiKey: undefined,
      remoteImages: "public",
    });
    expect(providers.get("google")).toMatchObject({
      format: "gemini",
      baseUrl: "https://generativelanguage.googleapis.com",
      apiKeyEnv: "GEMINI_API_KEY",
      baseUrlEnv: "GEMINI_BASE_URL",
    });
  });

  it("read keys and base URLs from the environment, GOOGLE_API_KEY as Gemini's fallback", () => {
    const p = load({
      ANTHROPIC_API_KEY: "a",
      ANTHROPIC_BASE_URL: "http://127.0.0.1:9/",
      GOOGLE_API_KEY: "g",
      GEMINI_BASE_URL: "http://127.0.0.1:8",
    }).providers;
    expect(p.get("anthropic")).toMatchObject({ apiKey: "a", baseUrl: "http://127.0.0.1:9" });
    expect(p.get("google")).toMatchObject({ apiKey: "g", baseUrl: "http://127.0.0.1:8" });
    expect(load({ GOOGLE_API_KEY: "g", GEMINI_API_KEY: "gem" }).providers.get("google")?.apiKey).toBe("gem");
  });

  it("MESHAPI_REMOTE_IMAGES takes public, any or off", () => {
    expect(load({ MESHAPI_REMOTE_IMAGES: "any" }).providers.get("google")?.remoteImages).toBe("any");
    expect(() => load({ MESHAPI_REMOTE_IMAGES: "yes" })).toThrow(ConfigError);
  });
});

describe("prices", () => {
  it("every listed Claude and Gemini model has a price, and dotted Claude aliases too", () => {
    for (const vendor of BUILTIN_VENDORS.filter((v) => v.format !== undefined)) {
      for (const model of vendor.models)
        expect(BUILTIN_PRICES[`${vendor.name}/${model}`], model).toBeDefined();
    }
    expect(BUILTIN_PRICES["anthropic/claude-sonnet-4.5"]).toEqual(
      BUILTIN_PRICES["anthropic/claude-sonnet-4-5"],
    );
  });

  it("computeCost prices cache reads, cache writes, other input and output separately", () => {
    const price = { input: 3, output: 15, cachedInput: 0.3, cacheWrite: 3.75 };
    // 1,000 uncached + 10,000 read + 2,000 written input tokens, 500 output tokens.
    const cost = computeCost(price, {
      promptTokens: 13_000,
      completionTokens: 500,
      cachedTokens: 10_000,
      cacheWriteTokens: 2_000,
    });
    expect(cost).toBeCloseTo((1_000 * 3 + 10_000 * 0.3 + 2_000 * 3.75 + 500 * 15) / 1e6, 12);
    // Without a cacheWrite rate, writes cost what input costs (existing behaviour for other vendors).
    expect(
      computeCost(
        { input: 1, output: 1 },
        { promptTokens: 10, completionTokens: 0, cachedTokens: 0, cacheWriteTokens: 4 },
      ),
    ).toBe(computeCost({ input: 1, output: 1 }, { promptTokens: 10, completionTokens: 0, cachedTokens: 0 }));
  });
});
