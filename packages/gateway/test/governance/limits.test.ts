import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ask, type Harness, readEvents, startHarness } from "../helpers/harness.js";
import { MODES, sharedSkipNote } from "./modes.js";

if (!MODES[1]?.enabled) console.warn(sharedSkipNote);

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}

for (const mode of MODES) {
  describe.skipIf(!mode.enabled)(`limits and spend caps (${mode.name})`, () => {
    let h: Harness;
    let drop: () => Promise<void>;
    beforeAll(async () => {
      const setup = await mode.setup("limits");
      drop = setup.drop;
      h = await startHarness({ env: setup.env });
    });
    afterAll(async () => {
      await h?.close();
      await drop?.();
    });

    it("a concurrent burst gets exactly rpm successes; the rest are 429 naming the limit", async () => {
      const key = await h.newKey(`limited-${Math.random()}`, { rpm: 5 });
      const responses = await Promise.all(Array.from({ length: 30 }, () => h.chat(ask("hi"), { key })));
      const ok = responses.filter((r) => r.status === 200);
      const limited = responses.filter((r) => r.status === 429);
      expect(ok).toHaveLength(5);
      expect(limited).toHaveLength(25);
      const body = (await limited[0]?.json()) as { error: Record<string, unknown> };
      expect(body.error.code).toBe("rate_limit_exceeded");
      expect(body.error.message).toContain("5 requests per minute (rpm)");
      const retry = Number(limited[0]?.headers.get("retry-after"));
      expect(retry).toBeGreaterThanOrEqual(1);
      // 60 s, rounded up to whole seconds; in shared mode the 10 ms booking slot can make it 61.
      expect(retry).toBeLessThanOrEqual(61);
      expect(body.error.retry_after_seconds).toBe(retry);
      for (const r of responses) expect(r.headers.get("x-ratelimit-limit-requests")).toBe("5");
      const remaining = ok.map((r) => Number(r.headers.get("x-ratelimit-remaining-requests"))).sort();
      expect(remaining).toEqual([0, 1, 2, 3, 4]);
      expect(limited[0]?.headers.get("x-ratelimit-remaining-requests")).toBe("0");
      expect(limited[0]?.headers.get("x-ratelimit-reset-requests")).toMatch(/^\d+(ms|s)$/);
    });

    it("streams carry the rate-limit headers too, tokens included when tpm is set", async () => {
      const key = await h.newKey(`limited-${Math.random()}`, { rpm: 100, tpm: 100_000 });
      const res = await h.chat(ask("stream please", { stream: true }), { key });
      expect(res.status).toBe(200);
      expect(res.headers.get("x-ratelimit-limit-requests")).toBe("100");
      expect(res.headers.get("x-ratelimit-remaining-requests")).toBe("99");
      expect(res.headers.get("x-ratelimit-limit-tokens")).toBe("100000");
      expect(res.headers.get("x-ratelimit-remaining-tokens")).toBe("100000");
      await readEvents(res);
    });

    it("keys without limits get no rate-limit headers", async () => {
      const res = await h.chat(ask("hi"));
      expect(res.status).toBe(200);
      expect(res.headers.get("x-ratelimit-limit-requests")).toBeNull();
    });

    it("max_concurrent refuses requests past the limit while others are in flight", async () => {
      const key = await h.newKey(`limited-${Math.random()}`, { maxConcurrent: 2 });
      const slow = Array.from({ length: 2 }, () => h.chat(ask("slow [[sim:delay_ms=400]]"), { key }));
      // The slow ones hold both slots: wait until the simulator has seen them.
      await until(
        () => h.sim.requests().filter((r) => JSON.stringify(r.body).includes("delay_ms=400")).length >= 2,
      );
      const extra = await h.chat(ask("fast"), { key });
      expect(extra.status).toBe(429);
      expect(((await extra.json()) as { error: { message: string } }).error.message).toContain(
        "max_concurrent",
      );
      expect((await Promise.all(slow)).map((r) => r.status)).toEqual([200, 200]);
      expect((await h.chat(ask("after"), { key })).status).toBe(200);
    });

    it("tpm counts the tokens requests used", async () => {
      const key = await h.newKey(`limited-${Math.random()}`, { tpm: 30 });
      const first = await h.chat(ask("long [[sim:words=40]]"), { key });
      expect(first.status).toBe(200);
      const second = await h.chat(ask("again"), { key });
      expect(second.status).toBe(429);
      expect(((await second.json()) as { error: { message: string } }).error.message).toContain("tpm");
      expect(second.headers.get("x-ratelimit-remaining-tokens")).toBe("0");
    });

    it("a spend cap hammered concurrently overshoots by at most one reservation, then answers 402", async () => {
      const cap = 0.001;
      const key = await h.newKey(`limited-${Math.random()}`, { spendCapUsd: cap });
      // gpt-4o: $2.5 / $10 per 1M tokens. Each request reserves ~215 µUSD and costs ~205 µUSD.
      const body = ask("spend [[sim:words=20]]", { model: "openai/gpt-4o", max_tokens: 20 });
      const burst = await Promise.all(Array.from({ length: 40 }, () => h.chat(body, { key })));
      const ok = burst.filter((r) => r.status === 200);
      expect(ok.length).toBeGreaterThanOrEqual(4);
      const refused = burst.filter((r) => r.status !== 200);
      expect(new Set(refused.map((r) => r.status))).toEqual(new Set([402]));
      const costs = await Promise.all(
        ok.map(async (r) => ((await r.json()) as { usage: { cost: number } }).usage.cost),
      );
      // Reservations run above actual costs, so settling can free a little room: spend it down.
      let last: Response | undefined;
      for (let i = 0; i < 20; i++) {
        last = await h.chat(body, { key });
        if (last.status !== 200) break;
        costs.push(((await last.json()) as { usage: { cost: number } }).usage.cost);
      }
      expect(last?.status).toBe(402);
      const spent = costs.reduce((a, b) => a + b, 0);
      const reservation = (Math.ceil(("spend [[sim:words=20]]".length + 12) / 3) * 2.5 + 20 * 10) / 1e6;
      expect(spent).toBeGreaterThan(cap - reservation);
      expect(spent).toBeLessThanOrEqual(cap + reservation);
      const after = await h.chat(body, { key });
      expect(after.status).toBe(402);
      const err = ((await after.json()) as { error: { code: string; message: string } }).error;
      expect(err.code).toBe("spend_limit_exceeded");
      expect(err.message).toContain("$0.001");
    });

    it("limits changed through the key service apply at once", async () => {
      const key = await h.newKey(`limited-${Math.random()}`, {});
      const record = (await h.keys.list()).at(-1);
      if (!record) throw new Error("no key");
      await h.keys.update(record.id, { limits: { rpm: 1 } });
      h.gateway.keys.remember(await h.keys.get(record.id));
      expect((await h.chat(ask("1"), { key })).status).toBe(200);
      expect((await h.chat(ask("2"), { key })).status).toBe(429);
      await h.keys.update(record.id, { limits: { rpm: null } });
      h.gateway.keys.remember(await h.keys.get(record.id));
      expect((await h.chat(ask("3"), { key })).status).toBe(200);
    });
  });
}
