import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tokenMatches } from "../../src/http/routes/admin-auth.js";
import { AuthFailureLimiter } from "../../src/security/auth-failures.js";
import { ask, type Harness, startHarness } from "../helpers/harness.js";

const ADMIN = "admin-token-for-brute-force-tests";

describe("abuse: auth brute force", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      env: {
        MESHAPI_ADMIN_TOKEN: ADMIN,
        MESHAPI_AUTH_FAILURE_LIMIT: "5",
        MESHAPI_AUTH_FAILURE_WINDOW_MS: "60000",
      },
    });
  });
  afterAll(() => h.close());

  const wrongKey = (i: number) => `rsk_01${String(i).padStart(24, "0")}`;
  const admin = (token: string) =>
    fetch(`${h.url}/admin/keys`, { headers: { authorization: `Bearer ${token}` } });

  it("requests without any key are not counted as guesses", async () => {
    for (let i = 0; i < 8; i++) {
      const res = await fetch(`${h.url}/v1/chat/completions`, { method: "POST", body: "{}" });
      expect(res.status).toBe(401);
    }
    expect(h.gateway.app.authFailures.size).toBe(0);
  });

  it("wrong rsk_ keys: 401 up to the limit, then 429 too_many_failed_auth with Retry-After", async () => {
    // Successes before and between failures add nothing.
    for (let i = 0; i < 10; i++) expect((await h.chat(ask("ok"))).status).toBe(200);
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await h.chat(ask("guess"), { key: wrongKey(i) })).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401]);
    const blocked = await h.chat(ask("guess"), { key: wrongKey(99) });
    expect(blocked.status).toBe(429);
    const retryAfter = Number(blocked.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    const body = (await blocked.json()) as { error: { code: string; retry_after_seconds: number } };
    expect(body.error.code).toBe("too_many_failed_auth");
    expect(body.error.retry_after_seconds).toBe(retryAfter);
    // The admin surface shares the address's count: a right token is refused too while blocked.
    expect((await admin(ADMIN)).status).toBe(429);
    // The block holds for the right key as well, or guessing would go on at full speed.
    expect((await h.chat(ask("ok"))).status).toBe(429);
  });
});

describe("abuse: admin token brute force", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      env: { MESHAPI_ADMIN_TOKEN: ADMIN, MESHAPI_AUTH_FAILURE_LIMIT: "3" },
    });
  });
  afterAll(() => h.close());

  const admin = (token?: string) =>
    fetch(`${h.url}/admin/keys`, token ? { headers: { authorization: `Bearer ${token}` } } : {});

  it("wrong admin tokens: 401 up to the limit, then 429; a missing header is not a guess", async () => {
    expect((await admin(ADMIN)).status).toBe(200);
    for (let i = 0; i < 5; i++) expect((await admin()).status).toBe(401);
    for (let i = 0; i < 3; i++) expect((await admin(`${ADMIN}-${i}`)).status).toBe(401);
    const blocked = await admin("x");
    expect(blocked.status).toBe(429);
    expect(blocked.headers.get("retry-after")).toMatch(/^\d+$/);
    expect(((await blocked.json()) as { error: { code: string } }).error.code).toBe("too_many_failed_auth");
  });

  it("the window ends: the address may try again", () => {
    let now = 0;
    const limiter = new AuthFailureLimiter({ limit: 2, windowMs: 1_000 }, () => now);
    limiter.recordFailure("10.0.0.1");
    limiter.recordFailure("10.0.0.1");
    expect(() => limiter.check("10.0.0.1")).toThrow(/Too many failed/);
    expect(() => limiter.check("10.0.0.2")).not.toThrow();
    now = 1_000;
    expect(() => limiter.check("10.0.0.1")).not.toThrow();
  });

  it("memory stays bounded under failures from many addresses", () => {
    const limiter = new AuthFailureLimiter({ limit: 2, windowMs: 60_000 }, () => 0);
    for (let i = 0; i < 120_000; i++) limiter.recordFailure(`10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`);
    expect(limiter.size).toBeLessThanOrEqual(50_000);
  });

  it("limit 0 turns the limiter off", () => {
    const limiter = new AuthFailureLimiter({ limit: 0, windowMs: 60_000 });
    for (let i = 0; i < 100; i++) limiter.recordFailure("10.0.0.1");
    expect(() => limiter.check("10.0.0.1")).not.toThrow();
    expect(limiter.size).toBe(0);
  });
});

describe("admin token compare", () => {
  it("matches only the exact token, whatever the presented length", () => {
    expect(tokenMatches(`Bearer ${ADMIN}`, ADMIN)).toBe(true);
    expect(tokenMatches(`Bearer ${ADMIN}x`, ADMIN)).toBe(false);
    expect(tokenMatches(`Bearer ${ADMIN.slice(0, -1)}`, ADMIN)).toBe(false);
    expect(tokenMatches("Bearer a", ADMIN)).toBe(false);
    expect(tokenMatches(`Bearer ${"a".repeat(10_000)}`, ADMIN)).toBe(false);
    expect(tokenMatches(undefined, ADMIN)).toBe(false);
    expect(tokenMatches(`Basic ${ADMIN}`, ADMIN)).toBe(false);
  });
});
