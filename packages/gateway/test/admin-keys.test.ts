import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ask, type Harness, startHarness } from "./helpers/harness.js";

const ADMIN = "admin-secret-token";
let h: Harness;
beforeAll(async () => {
  h = await startHarness({ env: { MESHAPI_ADMIN_TOKEN: ADMIN } });
});
afterAll(() => h.close());

function admin(path: string, init: { method?: string; body?: unknown; token?: string } = {}) {
  return fetch(`${h.url}/admin${path}`, {
    method: init.method ?? "GET",
    headers: {
      authorization: `Bearer ${init.token ?? ADMIN}`,
      ...(init.body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
}

describe("/admin/keys", () => {
  it("refuses a wrong admin token", async () => {
    const res = await admin("/keys", { token: "wrong" });
    expect(res.status).toBe(401);
    expect((await res.json()).error.code).toBe("unauthorized");
  });

  it("creates, lists, gets, updates and deletes keys; changes apply at once", async () => {
    const created = await admin("/keys", { method: "POST", body: { name: "ci" } });
    expect(created.status).toBe(201);
    const key = await created.json();
    expect(key.key).toMatch(/^rsk_[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(key).toMatchObject({ name: "ci", status: "active" });
    expect(key).not.toHaveProperty("keyHash");
    const headers = { authorization: `Bearer ${key.key}` };
    expect((await h.chat(ask("x"), { headers })).status).toBe(200);

    const list = await (await admin("/keys")).json();
    expect(list.data.map((k: { id: string }) => k.id)).toContain(key.id);
    expect(JSON.stringify(list)).not.toContain(key.key);

    expect((await (await admin(`/keys/${key.id}`)).json()).name).toBe("ci");

    const suspended = await admin(`/keys/${key.id}`, {
      method: "PATCH",
      body: { status: "suspended", name: "ci-2" },
    });
    expect(await suspended.json()).toMatchObject({ status: "suspended", name: "ci-2" });
    expect((await h.chat(ask("x"), { headers })).status).toBe(403);

    expect((await admin(`/keys/${key.id}`, { method: "DELETE" })).status).toBe(200);
    expect((await h.chat(ask("x"), { headers })).status).toBe(401);
    expect((await admin(`/keys/${key.id}`)).status).toBe(404);
  });

  it("sets and lifts a key's allowed_models; a refused model is 403 model_not_allowed", async () => {
    const key = await (
      await admin("/keys", { method: "POST", body: { name: "scoped", allowed_models: ["openai/gpt-4o"] } })
    ).json();
    expect(key.allowed_models).toEqual(["openai/gpt-4o"]);
    const headers = { authorization: `Bearer ${key.key}` };
    expect((await h.chat(ask("x", { model: "openai/gpt-4o" }), { headers })).status).toBe(200);
    const refused = await h.chat(ask("x", { model: "openai/gpt-4o-mini" }), { headers });
    expect(refused.status).toBe(403);
    expect((await refused.json()).error).toMatchObject({
      code: "model_not_allowed",
      type: "permission_error",
    });
    const fallback = await h.chat(ask("x", { model: "openai/gpt-4o", models: ["openai/o3"] }), { headers });
    expect((await fallback.json()).error).toMatchObject({ code: "model_not_allowed", param: "models" });

    const lifted = await admin(`/keys/${key.id}`, { method: "PATCH", body: { allowed_models: null } });
    expect((await lifted.json()).allowed_models).toBeNull();
    expect((await h.chat(ask("x", { model: "openai/gpt-4o-mini" }), { headers })).status).toBe(200);
    const bad = await admin(`/keys/${key.id}`, { method: "PATCH", body: { allowed_models: ["a b"] } });
    expect(bad.status).toBe(422);
  });

  it("validates bodies with 422 details", async () => {
    const res = await admin("/keys", { method: "POST", body: { name: "", extra: 1 } });
    expect(res.status).toBe(422);
    const err = (await res.json()).error;
    expect(err.details.length).toBeGreaterThanOrEqual(2);
  });

  it("un-revoking a revoked key is a 409", async () => {
    const key = await (await admin("/keys", { method: "POST", body: { name: "gone" } })).json();
    await admin(`/keys/${key.id}`, { method: "PATCH", body: { status: "revoked" } });
    const res = await admin(`/keys/${key.id}`, { method: "PATCH", body: { status: "active" } });
    expect(res.status).toBe(409);
  });
});

describe("/admin without MESHAPI_ADMIN_TOKEN", () => {
  it("does not exist", async () => {
    const plain = await startHarness({ sim: h.sim });
    try {
      const res = await fetch(`${plain.url}/admin/keys`, { headers: { authorization: "Bearer anything" } });
      expect(res.status).toBe(404);
    } finally {
      await plain.close();
    }
  });
});
