import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MODES } from "./governance/modes.js";
import { ask, type Harness, startHarness } from "./helpers/harness.js";
import { usageEvent } from "./helpers/usage-event.js";

const ADMIN = "insights-admin-token";
const HOUR = 3_600_000;
/** A fixed, hour-aligned past moment for seeded events, so bucket edges are known exactly. */
const T0 = Date.parse("2026-11-01T10:00:00Z");

async function admin<T = Record<string, unknown>>(
  h: Harness,
  path: string,
  token = ADMIN,
): Promise<{ status: number; body: T }> {
  const res = await fetch(`${h.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, body: (await res.json()) as T };
}

interface Series {
  bucket_seconds: number;
  group_by: string | null;
  data: Array<Record<string, string | number | null>>;
}
interface Recent {
  data: Array<Record<string, unknown>>;
  next_before: number | null;
}
interface Health {
  window_seconds: number;
  data: Array<Record<string, string | number | boolean | null>>;
}
interface ErrorBody {
  error: { code: string; details: Array<{ loc: (string | number)[] }> };
}

for (const mode of MODES) {
  describe.skipIf(!mode.enabled)(`admin dashboard reads (${mode.name})`, () => {
    let h: Harness;
    let drop: () => Promise<void>;
    let keyId: string;
    let otherId: string;
    beforeAll(async () => {
      const setup = await mode.setup("insights");
      drop = setup.drop;
      h = await startHarness({ env: { ...setup.env, MESHAPI_ADMIN_TOKEN: ADMIN } });
      keyId = (await h.keys.list())[0]?.id as string;
      const other = await h.keys.create("other");
      h.gateway.keys.remember(other.record);
      otherId = other.record.id;
      // Live traffic: two answers, one provider failure, one client error, one from the other key.
      for (const body of [
        ask("one", { session_id: "s1" }),
        ask("two", { session_id: "s1", model: "openai/gpt-4o" }),
        ask("three [[sim:status=500]]"),
        ask("four [[sim:status=400]]"),
      ]) {
        await (await h.chat(body)).text();
      }
      await (await h.chat(ask("five"), { key: other.key })).text();
      await h.gateway.usage.flush();
      // Seeded history at known times: two events in the 10:00 hour, one in the 11:00 hour.
      await h.gateway.store.insertUsageEvents([
        usageEvent({ keyId: "key_seed", createdAt: T0 + 5 * 60_000, costUsd: 0.25, promptTokens: 10 }),
        usageEvent({ keyId: "key_seed", createdAt: T0 + 50 * 60_000, costUsd: 0.5, status: 502 }),
        usageEvent({
          keyId: "key_seed",
          createdAt: T0 + 70 * 60_000,
          costUsd: 1,
          model: "openai/gpt-4o-mini",
        }),
      ]);
    });
    afterAll(async () => {
      await h?.close();
      await drop?.();
    });

    it("needs the admin token", async () => {
      for (const path of ["/admin/usage/series", "/admin/requests", "/admin/providers"]) {
        expect((await admin(h, path, h.key)).status).toBe(401);
      }
    });

    it("buckets usage by time with exact edges, oldest first", async () => {
      const since = new Date(T0 - HOUR).toISOString();
      const until = new Date(T0 + 3 * HOUR).toISOString();
      const { status, body } = await admin<Series>(
        h,
        `/admin/usage/series?key_id=key_seed&bucket=1h&since=${since}&until=${until}`,
      );
      expect(status).toBe(200);
      expect(body.bucket_seconds).toBe(3600);
      expect(body.data.map((p) => [p.start, p.requests, p.errors, p.cost_usd])).toEqual([
        ["2026-11-01T10:00:00.000Z", 2, 1, 0.75],
        ["2026-11-01T11:00:00.000Z", 1, 0, 1],
      ]);
      expect(body.data[0]?.prompt_tokens).toBe(11);
      expect(body.data[0]?.total_tokens).toBe(13);
    });

    it("groups each bucket by model and by key", async () => {
      const byModel = await admin<Series>(h, "/admin/usage/series?since=1h&group_by=model&bucket=1d");
      expect(byModel.status).toBe(200);
      const requests = (field: string, value: string, series: Series) =>
        series.data.filter((p) => p[field] === value).reduce((n, p) => n + Number(p.requests), 0);
      expect(requests("model", "openai/gpt-4o", byModel.body)).toBe(1);
      expect(requests("model", "openai/gpt-4o-mini", byModel.body)).toBe(4);
      const byKey = await admin<Series>(h, "/admin/usage/series?since=1h&group_by=key");
      expect(requests("key_id", keyId, byKey.body)).toBe(4);
      expect(requests("key_id", otherId, byKey.body)).toBe(1);
      // Without a width, a 1-hour span gets 1-minute buckets (about 60, under the ~120 aimed at).
      expect(byKey.body.bucket_seconds).toBe(60);
    });

    it("refuses unreadable or oversized series queries with a 422 naming the parameter", async () => {
      const cases: Array<[string, string]> = [
        ["since=yesterday", "since"],
        ["bucket=1m&since=30d", "bucket"],
        // Even the widest automatic bucket (1 week) cannot show 26 years in 1,000 buckets.
        ["since=2000-01-01", "bucket"],
        ["bucket=0m", "bucket"],
        ["group_by=day", "group_by"],
        ["since=1h&until=2h", "since"],
        ["colour=blue", ""],
        ["group_by=key&group_by=model", "group_by"],
      ];
      for (const [qs, param] of cases) {
        const { status, body } = await admin<ErrorBody>(h, `/admin/usage/series?${qs}`);
        expect(status, qs).toBe(422);
        expect(body.error.code).toBe("validation_error");
        if (param) expect(body.error.details[0]?.loc, qs).toEqual(["query", param]);
      }
    });

    it("lists the newest requests first with status and latency, and pages", async () => {
      const first = await admin<Recent>(h, "/admin/requests?limit=2");
      expect(first.status).toBe(200);
      expect(first.body.data).toHaveLength(2);
      // The seeded events were stored last, so they come first.
      expect(first.body.data.map((r) => r.key_id)).toEqual(["key_seed", "key_seed"]);
      const live = await admin<Recent>(h, `/admin/requests?key_id=${keyId}`);
      expect(live.body.data.map((r) => r.status)).toEqual([400, 502, 200, 200]);
      expect(live.body.data[1]?.error_code).toBe("upstream_error");
      expect(live.body.data[3]?.session_id).toBe("s1");
      // The routing story of each request: the 502 was tried three times (two retries, the default).
      expect(live.body.data[1]).toMatchObject({ attempts: 3, cache_hit: false });
      const attemptLog = live.body.data[1]?.attempt_log as { outcome: string }[] | undefined;
      expect(attemptLog?.map((a) => a.outcome)).toEqual([
        "upstream_error",
        "upstream_error",
        "upstream_error",
      ]);
      expect(live.body.data[3]).toMatchObject({
        attempts: 1,
        attempt_log: null,
        deployment: expect.any(String),
      });
      expect(Number(live.body.data[3]?.latency_ms)).toBeGreaterThanOrEqual(0);
      expect(live.body.next_before).toBeNull();
      const next = await admin<Recent>(h, `/admin/requests?limit=2&before=${first.body.next_before}`);
      const ids = [...first.body.data, ...next.body.data].map((r) => Number(r.id));
      expect(ids).toEqual([...ids].sort((a, b) => b - a));
      expect(new Set(ids).size).toBe(4);
      const errors = await admin<Recent>(h, `/admin/requests?outcome=error&key_id=${keyId}`);
      expect(errors.body.data.map((r) => r.status)).toEqual([400, 502]);
      for (const qs of ["limit=5000", "limit=1&limit=2", "limit=ten"]) {
        const bad = await admin<ErrorBody>(h, `/admin/requests?${qs}`);
        expect(bad.status, qs).toBe(422);
        expect(bad.body.error.details[0]?.loc).toEqual(["query", "limit"]);
      }
    });

    it("reports provider health from recorded outcomes", async () => {
      const { status, body } = await admin<Health>(h, "/admin/providers?window=1h");
      expect(status).toBe(200);
      expect(body.window_seconds).toBe(3600);
      const openai = body.data.find((p) => p.provider === "openai");
      // Five live requests: one 500 from the provider (its failure), one 400 passed through from it (the request's fault, not counted).
      expect(openai).toMatchObject({ configured: true, requests: 5, failures: 1, status: "degraded" });
      expect(openai?.failure_rate).toBe(0.2);
      expect(typeof openai?.last_failure_at).toBe("string");
      // Configured providers without traffic are listed as idle; unconfigured ones are not listed.
      expect(body.data.every((p) => p.configured === true || Number(p.requests) > 0)).toBe(true);
      const bad = await admin<ErrorBody>(h, "/admin/providers?window=forever");
      expect(bad.status).toBe(422);
    });
  });
}

describe("provider state", async () => {
  const { providerState } = await import("../src/usage/provider-health.js");
  const base = { provider: "p", avgLatencyMs: 1, lastRequestAt: 10 };
  it("is idle without traffic, down when mostly failing lately, degraded otherwise", () => {
    expect(providerState(undefined)).toBe("idle");
    expect(providerState({ ...base, requests: 4, failures: 0, lastSuccessAt: 10, lastFailureAt: null })).toBe(
      "ok",
    );
    expect(providerState({ ...base, requests: 4, failures: 3, lastSuccessAt: 5, lastFailureAt: 10 })).toBe(
      "down",
    );
    // Mostly failing, but the latest request succeeded: recovering, not down.
    expect(providerState({ ...base, requests: 4, failures: 3, lastSuccessAt: 10, lastFailureAt: 5 })).toBe(
      "degraded",
    );
    expect(providerState({ ...base, requests: 4, failures: 1, lastSuccessAt: 5, lastFailureAt: 10 })).toBe(
      "degraded",
    );
  });
});
