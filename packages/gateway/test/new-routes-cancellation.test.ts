/** A client that goes away cancels the upstream call on the new routes too, passed through or translated. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startVendorHarness, type VendorHarness } from "./providers/helpers.js";

let v: VendorHarness;
beforeAll(async () => {
  v = await startVendorHarness();
});
afterAll(() => v.close());

const CASES: [string, string, Record<string, unknown>][] = [
  [
    "/v1/messages",
    "pass-through (Anthropic)",
    {
      model: "anthropic/claude-haiku-4-5",
      max_tokens: 50,
      messages: [{ role: "user", content: "x [[sim:hang]]" }],
    },
  ],
  [
    "/v1/messages",
    "translated (OpenAI)",
    {
      model: "openai/gpt-4o-mini",
      max_tokens: 50,
      stream: true,
      messages: [{ role: "user", content: "x [[sim:hang]]" }],
    },
  ],
  [
    "/v1/responses",
    "pass-through (OpenAI)",
    { model: "openai/gpt-4o-mini", stream: true, input: "x [[sim:hang]]" },
  ],
  ["/v1/responses", "translated (Gemini)", { model: "google/gemini-2.5-flash", input: "x [[sim:hang]]" }],
];

describe.each(CASES)("%s %s", (path, _how, body) => {
  it("aborts the hung upstream request when the client leaves", async () => {
    v.h.sim.reset();
    const controller = new AbortController();
    const pending = fetch(`${v.h.url}${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${v.h.key}`, "content-type": "application/json" },
      body: JSON.stringify(body),
      signal: controller.signal,
    });
    pending.catch(() => {});
    const upstream = await v.h.sim.waitFor(() => true);
    controller.abort();
    const seen = await v.h.sim.waitFor((r) => r.id === upstream.id && r.aborted, 2_000);
    expect(seen.finished).toBe(false);
  });
});
