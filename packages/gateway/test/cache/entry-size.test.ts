import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ask, type Harness, startHarness } from "../helpers/harness.js";

describe("response cache: answers over MESHAPI_CACHE_MAX_ENTRY_BYTES", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: { MESHAPI_CACHE_MAX_ENTRY_BYTES: "2000" } });
  });
  afterAll(async () => {
    await h?.close();
  });

  async function secondLookup(body: unknown): Promise<string | null> {
    await (await h.chat(body)).text();
    await h.gateway.cache?.flush();
    const again = await h.chat(body);
    await again.text();
    return again.headers.get("x-meshapi-cache");
  }

  it("are answered but not kept, streamed or not; smaller ones are", async () => {
    for (const stream of [false, true]) {
      expect(await secondLookup(ask("Short [[sim:words=3]]", { cache: { ttl: 60 }, stream }))).toBe("hit");
      expect(await secondLookup(ask("Long [[sim:words=400]]", { cache: { ttl: 60 }, stream }))).toBe("miss");
    }
  });
});
