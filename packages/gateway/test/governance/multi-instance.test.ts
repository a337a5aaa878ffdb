import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ServerProcess } from "../helpers/cli.js";
import { ask } from "../helpers/harness.js";
import { MODES, sharedSkipNote } from "./modes.js";
import { built, builtSkipNote, chat, type ProcessRig, startRig, until } from "./processes.js";

const shared = MODES.find((m) => m.name === "shared");
if (!shared?.enabled) console.warn(sharedSkipNote);
if (!built) console.warn(builtSkipNote);

describe.skipIf(!shared?.enabled || !built)("two gateway processes sharing PostgreSQL and Redis", () => {
  let rig: ProcessRig;
  let a: ServerProcess;
  let b: ServerProcess;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    const setup = await (shared as NonNullable<typeof shared>).setup("multi");
    drop = setup.drop;
    rig = await startRig(setup.env);
    [a, b] = await Promise.all([rig.serve(), rig.serve()]);
  }, 30_000);
  afterAll(async () => {
    await rig?.close();
    await drop?.();
  });

  it("rpm 50 holds exactly across both: 200 concurrent requests, 50 succeed", async () => {
    const { key } = await rig.createKey(["--rpm", "50"]);
    // One request through each instance first, so both serve part of the 50 whatever the burst's
    // batching does (one instance's first script call may otherwise take the whole window).
    const first = [await chat(a.url, key, ask("req 0")), await chat(b.url, key, ask("req 1"))];
    const responses = [
      ...first,
      ...(await Promise.all(
        Array.from({ length: 198 }, (_, j) => chat(j % 2 === 0 ? a.url : b.url, key, ask(`req ${j + 2}`))),
      )),
    ];
    const statuses = responses.map((r) => r.status);
    await Promise.all(responses.map((r) => r.text()));
    expect(statuses.filter((s) => s === 200)).toHaveLength(50);
    expect(statuses.filter((s) => s === 429)).toHaveLength(150);
    // Both instances served some of the 50: the window is one, not one per process.
    const served = responses.filter((r, i) => r.status === 200 && i % 2 === 0).length;
    expect(served).toBeGreaterThan(0);
    expect(served).toBeLessThan(50);
  });

  it("a spend cap hammered through both overshoots by at most one reservation, then 402 on both", async () => {
    const cap = 0.002;
    const { key } = await rig.createKey(["--spend-cap-usd", String(cap)]);
    const text = "spend [[sim:words=20]]";
    const body = ask(text, { model: "openai/gpt-4o", max_tokens: 20 });
    const responses = await Promise.all(
      Array.from({ length: 100 }, (_, i) => chat(i % 2 ? a.url : b.url, key, body)),
    );
    const ok = responses.filter((r) => r.status === 200);
    const costs = await Promise.all(
      ok.map(async (r) => ((await r.json()) as { usage: { cost: number } }).usage.cost),
    );
    await Promise.all(responses.filter((r) => r.status !== 200).map((r) => r.text()));
    expect(new Set(responses.filter((r) => r.status !== 200).map((r) => r.status))).toEqual(new Set([402]));
    // Reservations run above actual costs, so settling can free a little room: spend it down. A 402
    // may still count the reservation of the request just before, whose settle is booked lazily (a few
    // ms later), so the cap counts as reached only once a 402 holds after the settles had time to land.
    for (let i = 0, refused = 0; i < 40 && refused < 2; i++) {
      const res = await chat(i % 2 ? a.url : b.url, key, body);
      if (res.status !== 200) {
        expect(res.status).toBe(402);
        await res.text();
        refused++;
        await new Promise((r) => setTimeout(r, 100));
        continue;
      }
      refused = 0;
      costs.push(((await res.json()) as { usage: { cost: number } }).usage.cost);
    }
    const reservation = (Math.ceil((text.length + 12) / 3) * 2.5 + 20 * 10) / 1e6;
    const spent = costs.reduce((x, y) => x + y, 0);
    expect(spent).toBeGreaterThan(cap - reservation);
    expect(spent).toBeLessThanOrEqual(cap + reservation);
    for (const url of [a.url, b.url]) {
      const res = await chat(url, key, body);
      expect(res.status).toBe(402);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("spend_limit_exceeded");
    }
  });

  it("a key change made with the CLI reaches every instance within 5 s", async () => {
    const { id, key } = await rig.createKey();
    for (const url of [a.url, b.url]) expect((await chat(url, key, ask("x"))).status).toBe(200);
    const update = await rig.cli(["keys", "update", id, "--rpm", "1"]);
    expect(update.code).toBe(0);
    for (const url of [a.url, b.url]) {
      // rpm 1 applies once the instance sees it: at most one more request gets through.
      const ms = await until(async () => (await chat(url, key, ask("y"))).status === 429, 5_000);
      expect(ms).toBeLessThan(5_000);
    }
    expect((await rig.cli(["keys", "suspend", id])).code).toBe(0);
    for (const url of [a.url, b.url]) {
      await until(async () => (await chat(url, key, ask("z"))).status === 403, 5_000);
    }
  });

  it("templates and usage are shared: created on one, used on the other, reported by the CLI", async () => {
    const { id, key } = await rig.createKey();
    const created = await fetch(`${a.url}/v1/templates`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "greet", system: "Greet {{ who }}.", model: "openai/gpt-4o-mini" }),
    });
    expect(created.status).toBe(201);
    const res = await chat(b.url, key, {
      template: "greet",
      variables: { who: "Ann" },
      messages: [{ role: "user", content: "hello" }],
    });
    expect(res.status).toBe(200);
    await res.text();
    const report = await until(async () => {
      const out = await rig.cli(["usage", "--key", id, "--json"]);
      return (JSON.parse(out.stdout) as { total: { requests: number } }).total.requests === 1;
    }, 5_000);
    expect(report).toBeLessThan(5_000);
  });
});
