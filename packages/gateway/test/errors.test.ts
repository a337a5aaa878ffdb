import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ERROR_CATALOG } from "../src/errors/catalog.js";
import { ask, type Harness, readEvents, startHarness } from "./helpers/harness.js";

let h: Harness;
let deadPort: number;
beforeAll(async () => {
  // A port nothing listens on, for "connection refused".
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
  deadPort = (probe.address() as { port: number }).port;
  await new Promise((r) => probe.close(r));
  h = await startHarness({
    env: {
      // Each case here maps one upstream answer; retries have their own tests (routing/).
      MESHAPI_RETRIES: "0",
      MESHAPI_BODY_LIMIT_BYTES: "65536",
      MESHAPI_UPSTREAM_FIRST_BYTE_TIMEOUT_MS: "400",
      MESHAPI_UPSTREAM_IDLE_TIMEOUT_MS: "400",
      GROQ_API_KEY: "x",
      GROQ_BASE_URL: `http://127.0.0.1:${deadPort}/v1`,
    },
  });
});
afterAll(() => h.close());

async function expectError(res: Response, status: number, code: string) {
  expect(res.status).toBe(status);
  const body = await res.json();
  expect(body.error.code).toBe(code);
  expect(typeof body.error.message).toBe("string");
  expect(body.error.type).toBe(ERROR_CATALOG[code as keyof typeof ERROR_CATALOG].type);
  expect(body.request_id).toBe(res.headers.get("x-request-id"));
  expect(body.request_id).toMatch(/^req_/);
  return body.error;
}

describe("request errors", () => {
  it("malformed JSON → 400 invalid_request", async () => {
    await expectError(await h.chat('{"model": "openai/x", "messages": ['), 400, "invalid_request");
  });

  it("a JSON body that is not an object → 400", async () => {
    await expectError(await h.chat("[1,2]"), 400, "invalid_request");
  });

  it("schema violations → 422 validation_error naming every bad field", async () => {
    const res = await h.chat({
      model: "openai/gpt-4o-mini",
      messages: [{ role: "wizard", content: "x" }],
      temperature: 3,
      top_p: -1,
      max_tokens: 0,
      presence_penalty: 9,
      tool_choice: "sometimes",
    });
    const err = await expectError(res, 422, "validation_error");
    const locs = err.details.map((d: { loc: unknown[] }) => d.loc.join("."));
    expect(locs).toEqual(
      expect.arrayContaining([
        "body.messages.0.role",
        "body.temperature",
        "body.top_p",
        "body.max_tokens",
        "body.presence_penalty",
        "body.tool_choice",
      ]),
    );
    for (const d of err.details) {
      expect(typeof d.type).toBe("string");
      expect(typeof d.msg).toBe("string");
    }
  });

  it("validates the MeshAPI extensions", async () => {
    const err = await expectError(
      await h.chat(ask("x", { models: ["not-a-model"], session_id: "", variables: { a: { deep: 1 } } })),
      422,
      "validation_error",
    );
    const locs = err.details.map((d: { loc: unknown[] }) => d.loc.slice(0, 2).join("."));
    expect(locs).toEqual(expect.arrayContaining(["body.models", "body.session_id", "body.variables"]));
  });

  it("refuses unknown transforms instead of ignoring them", async () => {
    await expectError(await h.chat(ask("x", { transforms: ["middle-out"] })), 422, "validation_error");
  });

  it("a body over the limit → 413", async () => {
    await expectError(await h.chat(ask("x".repeat(70_000))), 413, "payload_too_large");
  });

  it("a non-JSON content type → 415", async () => {
    const res = await fetch(`${h.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${h.key}`, "content-type": "application/x-www-form-urlencoded" },
      body: "a=b",
    });
    await expectError(res, 415, "unsupported_media_type");
  });

  it("an unknown route → 404 not_found in the envelope", async () => {
    const res = await fetch(`${h.url}/v2/nothing`);
    await expectError(res, 404, "not_found");
  });

  it("a template that does not exist → 404", async () => {
    await expectError(await h.chat(ask("x", { template: "nope" })), 404, "not_found");
  });
});

describe("authentication", () => {
  it("missing, malformed and unknown keys → 401", async () => {
    await expectError(await h.chat(ask("x"), { headers: { authorization: "" } }), 401, "unauthorized");
    await expectError(
      await h.chat(ask("x"), { headers: { authorization: "Bearer nope" } }),
      401,
      "unauthorized",
    );
    await expectError(
      await h.chat(ask("x"), { headers: { authorization: "Bearer rsk_01JAAAAAAAAAAAAAAAAAAAAAAA" } }),
      401,
      "unauthorized",
    );
  });

  it("suspended → 403, activated → 200, revoked → 401 for good", async () => {
    const { record, key } = await h.keys.create("lifecycle");
    const headers = { authorization: `Bearer ${key}` };
    expect((await h.chat(ask("x"), { headers })).status).toBe(200);
    h.gateway.keys.remember(await h.keys.update(record.id, { status: "suspended" }));
    await expectError(await h.chat(ask("x"), { headers }), 403, "forbidden");
    h.gateway.keys.remember(await h.keys.update(record.id, { status: "active" }));
    expect((await h.chat(ask("x"), { headers })).status).toBe(200);
    h.gateway.keys.remember(await h.keys.update(record.id, { status: "revoked" }));
    await expectError(await h.chat(ask("x"), { headers }), 401, "unauthorized");
    await expect(h.keys.update(record.id, { status: "active" })).rejects.toThrow(/revoked/);
  });

  it("authenticates before reading the body", async () => {
    const res = await h.chat("{not json", { headers: { authorization: "Bearer nope" } });
    expect(res.status).toBe(401);
  });
});

describe("routing errors", () => {
  it("an unknown provider → 404 model_not_found listing the providers", async () => {
    const err = await expectError(await h.chat(ask("x", { model: "nope/gpt" })), 404, "model_not_found");
    expect(err.message).toContain("openai");
  });

  it("a provider without credentials → 404 naming the variable to set", async () => {
    const err = await expectError(
      await h.chat(ask("x", { model: "mistral/mistral-small-latest" })),
      404,
      "model_not_found",
    );
    expect(err.message).toContain("MISTRAL_API_KEY");
  });
});

describe("upstream errors", () => {
  it("an upstream 4xx keeps its status with the vendor's body in provider_error", async () => {
    const err = await expectError(await h.chat(ask("x [[sim:status=400]]")), 400, "upstream_error");
    expect(err.provider_error).toHaveProperty("error");
  });

  it("an upstream 429 → 429 with Retry-After passed on", async () => {
    const res = await h.chat(ask("x [[sim:status=429,retry_after=7]]"));
    expect(res.headers.get("retry-after")).toBe("7");
    const err = await expectError(res, 429, "upstream_error");
    expect(err.retry_after_seconds).toBe(7);
  });

  it("an upstream 5xx → 502", async () => {
    await expectError(await h.chat(ask("x [[sim:status=503]]")), 502, "upstream_error");
  });

  it("refused provider credentials (401) → 502, since the client's key was fine", async () => {
    const err = await expectError(await h.chat(ask("x [[sim:status=401]]")), 502, "upstream_error");
    expect(err.message).toContain("OPENAI_API_KEY");
  });

  it("a connection failure → 502", async () => {
    await expectError(await h.chat(ask("x", { model: "groq/llama-3.1-8b-instant" })), 502, "upstream_error");
  });

  it("no answer within the first-byte timeout → 504", async () => {
    await expectError(await h.chat(ask("x [[sim:delay_ms=2000]]")), 504, "gateway_timeout");
  });

  it("a stream request that fails before the first byte gets a real status, not a 200", async () => {
    await expectError(await h.chat(ask("x [[sim:status=500]]", { stream: true })), 502, "upstream_error");
  });
});

describe("failures after the first byte", () => {
  async function expectErrorFrame(res: Response, code: string) {
    expect(res.status).toBe(200);
    const events = await readEvents(res);
    expect(events.at(-1)).toBe("[DONE]");
    const frame = events.at(-2) as { error: { code: string; message: string }; request_id: string };
    expect(frame.error.code).toBe(code);
    expect(frame.request_id).toBe(res.headers.get("x-request-id"));
    return events;
  }

  it("an upstream that cuts the stream → error frame then [DONE]", async () => {
    const events = await expectErrorFrame(
      await h.chat(ask("a b c d e f [[sim:cut_after=3]]", { stream: true })),
      "upstream_error",
    );
    expect(events.length).toBeGreaterThan(2);
  });

  it("a malformed upstream chunk → error frame", async () => {
    await expectErrorFrame(
      await h.chat(ask("a b c d [[sim:malformed_after=2]]", { stream: true })),
      "upstream_error",
    );
  });

  it("an upstream in-band error event → error frame with the vendor's error", async () => {
    await expectErrorFrame(
      await h.chat(ask("a b c d [[sim:stream_error=2]]", { stream: true })),
      "upstream_error",
    );
  });

  it("an upstream that goes silent mid-stream → gateway_timeout frame", async () => {
    await expectErrorFrame(
      await h.chat(ask("a b c d [[sim:hang_after=2]]", { stream: true })),
      "gateway_timeout",
    );
  });
});

describe("fallbacks (models)", () => {
  it("moves to the next model when the first fails with a retryable error", async () => {
    h.sim.reset();
    const res = await h.chat(
      ask("hello", { model: "groq/llama-3.1-8b-instant", models: ["openai/gpt-4o-mini"] }),
    );
    expect(res.status).toBe(200);
    expect((await res.json()).model).toBe("openai/gpt-4o-mini");
  });

  it("does not fall back on a client error", async () => {
    h.sim.reset();
    const res = await h.chat(ask("x [[sim:status=400]]", { models: ["openai/gpt-4o"] }));
    expect(res.status).toBe(400);
    expect(h.sim.requests()).toHaveLength(1);
  });
});
