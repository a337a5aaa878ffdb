import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ask, type Harness, startHarness } from "../helpers/harness.js";

const ADMIN = "admin-token-for-limits";

describe("limits through the admin API", () => {
  let h: Harness;
  const admin = (method: string, path: string, body?: unknown) =>
    fetch(`${h.url}/admin${path}`, {
      method,
      headers: {
        authorization: `Bearer ${ADMIN}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const chat = (key: string) =>
    fetch(`${h.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify(ask("hi")),
    });

  beforeAll(async () => {
    h = await startHarness({ env: { MESHAPI_ADMIN_TOKEN: ADMIN } });
  });
  afterAll(async () => {
    await h?.close();
  });

  it("creates a key with limits, shows them, and changes or removes them with PATCH", async () => {
    const created = await admin("POST", "/keys", {
      name: "limited",
      rpm: 2,
      spend_cap_usd: 3,
      spend_period: "month",
    });
    expect(created.status).toBe(201);
    const key = (await created.json()) as { id: string; key: string };
    expect(key).toMatchObject({
      rpm: 2,
      rpd: null,
      tpm: null,
      max_concurrent: null,
      spend_cap_usd: 3,
      spend_period: "month",
    });
    expect((await chat(key.key)).status).toBe(200);
    expect((await chat(key.key)).status).toBe(200);
    expect((await chat(key.key)).status).toBe(429);

    const patched = await admin("PATCH", `/keys/${key.id}`, { rpm: null, max_concurrent: 5 });
    expect(await patched.json()).toMatchObject({
      rpm: null,
      max_concurrent: 5,
      spend_cap_usd: 3,
      name: "limited",
    });
    expect((await chat(key.key)).status).toBe(200);
    const listed = (await (await admin("GET", "/keys")).json()) as {
      data: { id: string; max_concurrent: number }[];
    };
    expect(listed.data.find((k) => k.id === key.id)?.max_concurrent).toBe(5);
  });

  it("refuses limits that are not positive integers or a known period (422)", async () => {
    const res = await admin("POST", "/keys", {
      name: "bad",
      rpm: 0,
      tpm: 1.5,
      spend_cap_usd: -1,
      spend_period: "week",
    });
    expect(res.status).toBe(422);
    const body = (await res.json()) as { error: { details: { loc: string[] }[] } };
    expect(body.error.details.map((d) => d.loc.at(-1)).sort()).toEqual([
      "rpm",
      "spend_cap_usd",
      "spend_period",
      "tpm",
    ]);
  });
});
