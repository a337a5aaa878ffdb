import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "./helpers/harness.js";

describe("/ui with built files", () => {
  let h: Harness;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "meshapi-ui-"));
    mkdirSync(join(dir, "assets"));
    writeFileSync(join(dir, "index.html"), "<!doctype html><title>MeshAPI dashboard</title>");
    writeFileSync(join(dir, "assets", "index-abc123.js"), "console.log('dashboard')");
    h = await startHarness({ uiDir: dir });
  });
  afterAll(async () => {
    await h?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("serves the page at /ui/ with headers that keep the token page unframed and uncached", async () => {
    const res = await fetch(`${h.url}/ui/`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/text\/html/);
    expect(await res.text()).toContain("MeshAPI dashboard");
    expect(res.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    expect(res.headers.get("cache-control")).toBe("no-cache");
  });

  it("serves the page at /ui too, and caches hashed bundles for good", async () => {
    const bare = await fetch(`${h.url}/ui`, { redirect: "manual" });
    expect(bare.status).toBe(200);
    expect(await bare.text()).toContain("MeshAPI dashboard");
    const asset = await fetch(`${h.url}/ui/assets/index-abc123.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get("cache-control")).toContain("immutable");
  });

  it("answers a missing file with the error envelope", async () => {
    const res = await fetch(`${h.url}/ui/nothing-here.js`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("not_found");
  });
});

describe("/ui without built files", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ uiDir: null });
  });
  afterAll(async () => h?.close());

  it("says how to build the dashboard", async () => {
    for (const path of ["/ui", "/ui/", "/ui/assets/x.js"]) {
      const res = await fetch(`${h.url}${path}`);
      expect(res.status, path).toBe(404);
      const body = (await res.json()) as { error: { message: string } };
      expect(body.error.message).toContain("npm run build");
    }
  });
});
