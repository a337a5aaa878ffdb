import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ask, type Harness, startHarness } from "../helpers/harness.js";
import { MODES } from "./modes.js";

const ADMIN = "admin-secret-token";

function call(h: Harness, method: string, path: string, body?: unknown, key = h.key): Promise<Response> {
  return fetch(`${h.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${key}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

async function json<T = Record<string, unknown>>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

interface Report {
  group_by: string | null;
  data: Record<string, string | number | null>[];
  total: {
    requests: number;
    prompt_tokens: number;
    completion_tokens: number;
    total_tokens: number;
    cost_usd: number;
  };
}

for (const mode of MODES) {
  describe.skipIf(!mode.enabled)(`usage accounting (${mode.name})`, () => {
    let h: Harness;
    let drop: () => Promise<void>;
    let otherKey: string;
    beforeAll(async () => {
      const setup = await mode.setup("usage");
      drop = setup.drop;
      h = await startHarness({ env: { ...setup.env, MESHAPI_ADMIN_TOKEN: ADMIN } });
      const other = await h.keys.create("other");
      h.gateway.keys.remember(other.record);
      otherKey = other.key;
      const sends = [
        h.chat(ask("one", { session_id: "s1", user: "u1" })),
        h.chat(ask("two", { session_id: "s1" })),
        h.chat(ask("three", { session_id: "s2", model: "openai/gpt-4o", stream: true })),
        h.chat(ask("four [[sim:status=400]]", { session_id: "s2" })),
        call(h, "POST", "/v1/chat/completions", ask("five"), otherKey),
      ];
      for (const res of await Promise.all(sends)) await res.text();
      await h.gateway.usage.flush();
    });
    afterAll(async () => {
      await h?.close();
      await drop?.();
    });

    it("records one event per request with tokens, cost, latency and status", async () => {
      const res = await call(h, "GET", "/v1/usage");
      expect(res.status).toBe(200);
      const report = await json<Report>(res);
      expect(report.group_by).toBeNull();
      expect(report.total.requests).toBe(4); // the other key's request is not this key's usage
      expect(report.total.prompt_tokens).toBeGreaterThan(0);
      expect(report.total.total_tokens).toBe(report.total.prompt_tokens + report.total.completion_tokens);
      expect(report.total.cost_usd).toBeGreaterThan(0);
    });

    it("groups by model, session and day, and filters", async () => {
      const byModel = await json<Report>(await call(h, "GET", "/v1/usage?group_by=model"));
      expect(byModel.data.map((r) => [r.model, r.requests])).toEqual([
        ["openai/gpt-4o", 1],
        ["openai/gpt-4o-mini", 3],
      ]);
      const bySession = await json<Report>(
        await call(h, "GET", "/v1/usage?group_by=session_id&session_id=s2"),
      );
      expect(bySession.data).toHaveLength(1);
      expect(bySession.data[0]).toMatchObject({ session_id: "s2", requests: 2 });
      const byDay = await json<Report>(await call(h, "GET", "/v1/usage?group_by=day&since=1d"));
      expect(byDay.data).toEqual([
        expect.objectContaining({ day: new Date().toISOString().slice(0, 10), requests: 4 }),
      ]);
      const future = await json<Report>(await call(h, "GET", "/v1/usage?since=2999-01-01"));
      expect(future.total.requests).toBe(0);
      const past = await json<Report>(await call(h, "GET", "/v1/usage?until=2000-01-01"));
      expect(past.total.requests).toBe(0);
      const filtered = await json<Report>(await call(h, "GET", "/v1/usage?model=openai/gpt-4o"));
      expect(filtered.total.requests).toBe(1);
    });

    it("refuses bad query parameters with 422 and details", async () => {
      const res = await call(h, "GET", "/v1/usage?group_by=colour&since=soon");
      expect(res.status).toBe(422);
      const body = await json<{ error: { details: { loc: string[] }[] } }>(res);
      expect(body.error.details.map((d) => d.loc)).toEqual([
        ["query", "since"],
        ["query", "group_by"],
      ]);
    });

    it("GET /admin/usage covers every key and groups by key", async () => {
      expect((await call(h, "GET", "/admin/usage")).status).toBe(401);
      const report = await json<Report>(await call(h, "GET", "/admin/usage?group_by=key", undefined, ADMIN));
      expect(report.total.requests).toBe(5);
      expect(report.data.map((r) => r.requests).sort()).toEqual([1, 4]);
    });
  });

  describe.skipIf(!mode.enabled)(`prompt templates (${mode.name})`, () => {
    let h: Harness;
    let drop: () => Promise<void>;
    beforeAll(async () => {
      const setup = await mode.setup("templates");
      drop = setup.drop;
      h = await startHarness({ env: setup.env });
    });
    afterAll(async () => {
      await h?.close();
      await drop?.();
    });

    const support = {
      name: "support",
      description: "Customer support",
      system: "You help {{ customer }} with {{product}}.",
      messages: [{ role: "user", content: "Context: order {{ order }}" }],
      model: "openai/gpt-4o",
      params: { temperature: 0.3, max_tokens: 64 },
      variables: { product: "MeshAPI" },
    };

    it("creates, lists, reads, updates and deletes templates", async () => {
      const created = await call(h, "POST", "/v1/templates", { ...support, name: "crud" });
      expect(created.status).toBe(201);
      const t = await json<{ id: string; name: string; object: string }>(created);
      expect(t).toMatchObject({ object: "template", name: "crud", model: "openai/gpt-4o" });
      expect(t.id).toMatch(/^tpl_/);
      expect((await call(h, "POST", "/v1/templates", { ...support, name: "crud" })).status).toBe(409);
      const list = await json<{ data: { name: string }[] }>(await call(h, "GET", "/v1/templates"));
      expect(list.data.map((x) => x.name)).toContain("crud");
      expect((await json(await call(h, "GET", "/v1/templates/crud"))).id).toBe(t.id);
      const patched = await call(h, "PATCH", `/v1/templates/${t.id}`, { description: "new", model: null });
      expect(await json(patched)).toMatchObject({ description: "new", model: null, system: support.system });
      expect((await call(h, "DELETE", `/v1/templates/${t.id}`)).status).toBe(200);
      expect((await call(h, "GET", `/v1/templates/${t.id}`)).status).toBe(404);
    });

    it("validates template bodies", async () => {
      const res = await call(h, "POST", "/v1/templates", {
        name: "bad",
        messages: [{ role: "wizard", content: "x" }],
        params: { stream: true, temperature: 9 },
      });
      expect(res.status).toBe(422);
      const body = await json<{ error: { details: { loc: (string | number)[] }[] } }>(res);
      const locs = body.error.details.map((d) => d.loc.join("."));
      expect(locs).toEqual(
        expect.arrayContaining(["body.messages.0.role", "body.params.stream", "body.params.temperature"]),
      );
    });

    it("renders a template into a chat request: system and messages first, params and model filled in", async () => {
      expect((await call(h, "POST", "/v1/templates", support)).status).toBe(201);
      h.sim.reset();
      const res = await h.chat({
        template: "support",
        variables: { customer: "Ann", order: 42, extra: "ignored" },
        messages: [{ role: "user", content: "Where is my parcel?" }],
        temperature: 1,
      });
      expect(res.status).toBe(200);
      const out = await json<{ model: string; choices: { message: { content: string } }[] }>(res);
      expect(out.model).toBe("openai/gpt-4o");
      expect(out.choices[0]?.message.content).toBe("You said: Where is my parcel?");
      const upstream = h.sim.requests().at(-1)?.body as Record<string, unknown>;
      expect(upstream.messages).toEqual([
        { role: "system", content: "You help Ann with MeshAPI." },
        { role: "user", content: "Context: order 42" },
        { role: "user", content: "Where is my parcel?" },
      ]);
      expect(upstream.temperature).toBe(1);
      expect(upstream.max_tokens).toBe(64);
      for (const field of ["template", "variables"]) expect(upstream).not.toHaveProperty(field);
    });

    it("a template alone is a whole request; a missing variable is a 422 naming each one", async () => {
      const alone = await h.chat({ template: "support", variables: { customer: "Bo", order: 1 } });
      expect(alone.status).toBe(200);
      const missing = await h.chat({ template: "support", messages: [{ role: "user", content: "hi" }] });
      expect(missing.status).toBe(422);
      const body = await json<{ error: { message: string; details: { loc: string[] }[] } }>(missing);
      expect(body.error.message).toContain("customer, order");
      expect(body.error.details.map((d) => d.loc[2])).toEqual(["customer", "order"]);
    });

    it("templates belong to their key, and an unknown template is a 404", async () => {
      const other = await h.keys.create("other");
      h.gateway.keys.remember(other.record);
      expect((await call(h, "GET", "/v1/templates/support", undefined, other.key)).status).toBe(404);
      const res = await call(
        h,
        "POST",
        "/v1/chat/completions",
        { template: "support", variables: {} },
        other.key,
      );
      expect(res.status).toBe(404);
      expect((await json<{ error: { param: string } }>(res)).error.param).toBe("template");
    });

    it("a request without messages and without a template is still a 422", async () => {
      const res = await h.chat({ model: "openai/gpt-4o-mini" });
      expect(res.status).toBe(422);
      expect((await json<{ error: { param: string } }>(res)).error.param).toBe("messages");
    });
  });
}
