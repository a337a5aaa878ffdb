/**
 * Governance on /v1/embeddings, /v1/messages and /v1/responses, in both modes: a key's rpm and spend
 * cap are shared with chat completions and enforced on each route, and each request leaves a usage
 * event with tokens and cost.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../helpers/harness.js";
import { usageByModel } from "../helpers/usage-rows.js";
import { MODES, sharedSkipNote } from "./modes.js";

if (!MODES[1]?.enabled) console.warn(sharedSkipNote);

type Route = { path: string; body: Record<string, unknown>; model: string };

const ROUTES: readonly Route[] = [
  {
    path: "/v1/embeddings",
    model: "openai/text-embedding-3-small",
    body: { model: "openai/text-embedding-3-small", input: "governed text" },
  },
  {
    path: "/v1/messages",
    model: "openai/gpt-4o",
    body: {
      model: "openai/gpt-4o",
      max_tokens: 20,
      messages: [{ role: "user", content: "spend [[sim:words=20]]" }],
    },
  },
  {
    path: "/v1/responses",
    model: "openai/gpt-4o-mini",
    body: { model: "openai/gpt-4o-mini", input: "hello responses" },
  },
];

function post(h: Harness, key: string, route: Route): Promise<Response> {
  return fetch(`${h.url}${route.path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify(route.body),
  });
}

/** The error code of either envelope (MeshAPI's, or Anthropic's on /v1/messages, which keeps `code`). */
async function codeOf(res: Response): Promise<string> {
  return ((await res.json()) as { error: { code: string } }).error.code;
}

for (const mode of MODES) {
  describe.skipIf(!mode.enabled)(`governance on the new routes (${mode.name})`, () => {
    let h: Harness;
    let drop: () => Promise<void>;
    beforeAll(async () => {
      const setup = await mode.setup("newroutes");
      drop = setup.drop;
      h = await startHarness({ env: setup.env });
    });
    afterAll(async () => {
      await h?.close();
      await drop?.();
    });

    it("one rpm budget covers every route, and each route refuses with 429 once it is spent", async () => {
      const key = await h.newKey(`rpm-${Math.random()}`, { rpm: ROUTES.length });
      for (const route of ROUTES) {
        const res = await post(h, key, route);
        expect(res.status, route.path).toBe(200);
        expect(res.headers.get("x-ratelimit-limit-requests")).toBe(String(ROUTES.length));
        await res.arrayBuffer();
      }
      for (const route of ROUTES) {
        const res = await post(h, key, route);
        expect(res.status, route.path).toBe(429);
        expect(Number(res.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
        expect(await codeOf(res), route.path).toBe("rate_limit_exceeded");
      }
    });

    it("spend on /v1/messages counts against the cap, then every route answers 402", async () => {
      const key = await h.newKey(`spend-${Math.random()}`, { spendCapUsd: 0.0005 });
      const messages = ROUTES[1] as Route;
      let spent = 0;
      let last: Response | undefined;
      for (let i = 0; i < 10; i++) {
        last = await post(h, key, messages);
        if (last.status !== 200) break;
        spent += ((await last.json()) as { usage: { cost: number } }).usage.cost;
      }
      expect(last?.status).toBe(402);
      expect(spent).toBeGreaterThanOrEqual(0.0005);
      for (const route of ROUTES) {
        const res = await post(h, key, route);
        expect(res.status, route.path).toBe(402);
        expect(await codeOf(res)).toBe("spend_limit_exceeded");
      }
    });

    it("records a usage event with tokens and cost for each route", async () => {
      const key = await h.newKey(`usage-${Math.random()}`);
      for (const route of ROUTES) {
        const res = await post(h, key, route);
        expect(res.status).toBe(200);
        await res.arrayBuffer();
      }
      const rows = await usageByModel(h, key);
      for (const route of ROUTES) {
        const row = rows.get(route.model);
        expect(row?.requests, route.model).toBe(1);
        expect(row?.promptTokens, route.model).toBeGreaterThan(0);
        expect(row?.costUsd, route.model).toBeGreaterThan(0);
      }
    });
  });
}
