import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "./helpers/harness.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ env: { MESHAPI_BODY_LIMIT_BYTES: String(2 * 1024 * 1024) } });
});
afterAll(() => h.close());

const base = () => ({ model: "openai/gpt-4o-mini", messages: [{ role: "user", content: "hi" }] });
const WRONG_VALUES: unknown[] = [
  null,
  true,
  -1,
  0,
  1.5,
  1e308,
  "",
  "x",
  [],
  [1],
  {},
  { a: 1 },
  "💥".repeat(100),
];
const FIELDS = [
  "model",
  "messages",
  "max_tokens",
  "max_completion_tokens",
  "temperature",
  "top_p",
  "n",
  "stop",
  "seed",
  "user",
  "logprobs",
  "top_logprobs",
  "tools",
  "tool_choice",
  "response_format",
  "stream",
  "stream_options",
  "frequency_penalty",
  "presence_penalty",
  "logit_bias",
  "metadata",
  "template",
  "variables",
  "session_id",
  "models",
  "transforms",
];

function nested(depth: number, open: string, close: string, leaf = "1"): string {
  return open.repeat(depth) + leaf + close.repeat(depth);
}

/** Bodies sent as raw strings. */
function hostileBodies(): string[] {
  const bodies: string[] = [];
  for (const field of FIELDS) {
    for (const value of WRONG_VALUES) bodies.push(JSON.stringify({ ...base(), [field]: value }));
  }
  const messageShapes: unknown[] = [
    {},
    { role: "user" },
    { role: "user", content: 5 },
    { role: "user", content: [{ type: "image_url" }] },
    { role: "user", content: [{ type: "image_url", image_url: { url: 7 } }] },
    { role: "user", content: [{ type: "video", video: {} }] },
    { role: "assistant", tool_calls: [{ id: 1 }] },
    { role: "assistant", tool_calls: "x" },
    { role: "tool", content: "x" },
    { role: "system", content: [] },
    { role: null, content: "x" },
    "just a string",
    null,
    [[]],
  ];
  for (const m of messageShapes) bodies.push(JSON.stringify({ ...base(), messages: [m] }));
  bodies.push(
    "",
    " ",
    "null",
    "true",
    "1",
    '"str"',
    "[]",
    "{",
    "}",
    '{"model":',
    '{"messages": [}',
    "{'single': 'quotes'}",
    '{"a":1,}',
    '{"a": NaN}',
    '{"a": Infinity}',
    "\uFEFF{}",
    '{"__proto__": {"polluted": true}, "messages": []}',
    '{"constructor": {"prototype": {"polluted": true}}}',
    `{"messages": ${nested(5_000, "[", "]")}}`,
    `{"metadata": ${nested(50_000, '{"a":', "}")}}`,
    JSON.stringify({
      ...base(),
      tools: [
        { type: "function", function: { name: "f", parameters: JSON.parse(nested(3_000, '{"a":', "}")) } },
      ],
    }),
    `{"model":"openai/gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"f","parameters":${nested(200_000, '{"a":', "}")}}}]}`,
    `{"model":"openai/gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"user_extra":${nested(200_000, "[", "]")}}`,
    JSON.stringify({
      ...base(),
      messages: Array.from({ length: 20_000 }, () => ({ role: "user", content: "x" })),
    }),
    JSON.stringify({ ...base(), stop: Array.from({ length: 10_000 }, () => "s") }),
    JSON.stringify({
      ...base(),
      logit_bias: Object.fromEntries(Array.from({ length: 5_000 }, (_, i) => [String(i), 1000])),
    }),
    JSON.stringify({ ...base(), messages: [{ role: "user", content: "\uD800 lone surrogate" }] }),
    `${JSON.stringify(base())}garbage`,
    "x".repeat(3 * 1024 * 1024),
  );
  return bodies;
}

describe("hostile input", () => {
  it("never answers 5xx, always in the error envelope, and keeps serving", async () => {
    const bodies = hostileBodies();
    expect(bodies.length).toBeGreaterThan(300);
    const statuses = new Map<number, number>();
    for (const body of bodies) {
      const res = await h.chat(body);
      const text = await res.text();
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      expect(res.status, body.slice(0, 120)).toBeLessThan(500);
      if (res.status >= 400) {
        const parsed = JSON.parse(text);
        expect(parsed.error.code, body.slice(0, 120)).toBeTruthy();
        expect(parsed.request_id).toMatch(/^req_/);
      }
    }
    // Nothing leaked into Object.prototype.
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((await h.chat(base())).status).toBe(200);
  });

  it("survives bogus headers and methods", async () => {
    const attempts: [string, RequestInit][] = [
      ["/v1/chat/completions", { method: "GET", headers: { authorization: `Bearer ${h.key}` } }],
      ["/v1/chat/completions", { method: "PUT", headers: { authorization: `Bearer ${h.key}` }, body: "{}" }],
      ["/v1/chat/completions", { method: "POST", headers: { authorization: "Basic abc" }, body: "{}" }],
      ["/v1/chat/completions", { method: "POST", headers: { authorization: "Bearer" }, body: "{}" }],
      [
        "/v1/chat/completions",
        { method: "POST", headers: { authorization: `Bearer ${"r".repeat(8000)}` }, body: "{}" },
      ],
      [
        "/v1/chat/completions",
        {
          method: "POST",
          headers: { authorization: `Bearer ${h.key}`, "content-type": "application/json; charset=bogus" },
          body: JSON.stringify(base()),
        },
      ],
      [
        "/v1/chat/completions",
        {
          method: "POST",
          headers: { authorization: `Bearer ${h.key}`, "content-type": "text/plain" },
          body: JSON.stringify(base()),
        },
      ],
      [
        "/v1/chat/completions",
        {
          method: "POST",
          headers: {
            authorization: `Bearer ${h.key}`,
            "content-type": "application/json",
            "content-encoding": "gzip",
          },
          body: "notgzip",
        },
      ],
      [
        "/v1/chat/completions?x=%zz",
        { method: "POST", headers: { authorization: `Bearer ${h.key}` }, body: "{}" },
      ],
      ["/%2e%2e/admin/keys", { method: "GET" }],
      ["/v1/models/%00", { method: "GET", headers: { authorization: `Bearer ${h.key}` } }],
    ];
    for (const [path, init] of attempts) {
      const res = await fetch(`${h.url}${path}`, init);
      await res.text();
      expect(res.status, `${init.method} ${path}`).toBeLessThan(500);
    }
  });

  it("a lying Content-Length is a 4xx, not a hang or a crash", async () => {
    const { port } = new URL(h.url);
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), "127.0.0.1", () => {
        socket.end(
          `POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${h.key}\r\nContent-Type: application/json\r\nContent-Length: 5\r\n\r\n{"model":"openai/gpt-4o-mini"}`,
        );
      });
      let data = "";
      socket.on("data", (d) => {
        data += d;
      });
      socket.on("end", () => resolve(data));
      socket.on("error", reject);
    });
    expect(reply).toMatch(/^HTTP\/1\.1 4\d\d/);
    expect((await h.chat(base())).status).toBe(200);
  });
});
