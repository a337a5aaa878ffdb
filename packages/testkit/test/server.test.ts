/** Server behaviour shared by every format: auth, errors, recording, control endpoints. */
import OpenAI from "openai";
import { afterEach, describe, expect, it } from "vitest";
import { type Simulator, startSimulator } from "../src/index.js";
import { MODEL, openaiClient, postRaw } from "./helpers.js";

const opened: Simulator[] = [];
async function sim(opts?: Parameters<typeof startSimulator>[0]): Promise<Simulator> {
  const s = await startSimulator(opts);
  opened.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
});

const chat = (content = "hi") => JSON.stringify({ model: MODEL, messages: [{ role: "user", content }] });

describe("auth and request errors (OpenAI format)", () => {
  it("listens on 127.0.0.1 with an ephemeral port", async () => {
    const s = await sim();
    expect(s.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(s.openaiBaseUrl).toBe(`${s.url}/v1`);
  });

  it("requires a bearer key", async () => {
    const s = await sim();
    const res = await postRaw(`${s.openaiBaseUrl}/chat/completions`, chat());
    expect(res.status).toBe(401);
    expect(res.json).toMatchObject({ error: { type: "invalid_request_error", message: expect.any(String) } });
  });

  it("accepts any key by default but only the configured one when apiKey is set", async () => {
    const open = await sim();
    await expect(
      openaiClient(open, "whatever").chat.completions.create(JSON.parse(chat())),
    ).resolves.toBeTruthy();
    const strict = await sim({ apiKey: { openai: "right" } });
    await expect(
      openaiClient(strict, "right").chat.completions.create(JSON.parse(chat())),
    ).resolves.toBeTruthy();
    const error = await openaiClient(strict, "wrong")
      .chat.completions.create(JSON.parse(chat()))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((error as InstanceType<typeof OpenAI.APIError>).code).toBe("invalid_api_key");
  });

  it("answers invalid JSON with a 400", async () => {
    const s = await sim();
    const res = await postRaw(`${s.openaiBaseUrl}/chat/completions`, "{oops", { authorization: "Bearer k" });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ error: { type: "invalid_request_error" } });
    expect(s.requests()[0]?.body).toBeNull();
  });

  it("answers a missing messages array with a 400 naming the param", async () => {
    const s = await sim();
    const error = await openaiClient(s)
      .chat.completions.create({ model: MODEL, messages: [] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.APIError>).param).toBe("messages");
  });

  it("answers a model containing 'unknown' with 404 model_not_found", async () => {
    const s = await sim();
    const error = await openaiClient(s)
      .chat.completions.create({ model: "gpt-unknown-9", messages: [{ role: "user", content: "hi" }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect((error as InstanceType<typeof OpenAI.APIError>).code).toBe("model_not_found");
  });

  it("answers unknown routes with a 404 OpenAI error", async () => {
    const s = await sim();
    const res = await postRaw(`${s.url}/v1/nothing`, "{}", { authorization: "Bearer k" });
    expect(res.status).toBe(404);
    expect(res.json).toMatchObject({ error: { message: "Invalid URL (POST /v1/nothing)" } });
  });
});

describe("recording and control endpoints", () => {
  it("exposes the log at GET /_sim/requests and clears it with DELETE", async () => {
    const s = await sim();
    await postRaw(`${s.openaiBaseUrl}/chat/completions`, chat("one"), { authorization: "Bearer k" });
    const listed = (await (await fetch(`${s.url}/_sim/requests`)).json()) as {
      path: string;
      body: unknown;
    }[];
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({
      path: "/v1/chat/completions",
      body: { messages: [{ content: "one" }] },
      finished: true,
    });
    expect((await fetch(`${s.url}/_sim/requests`, { method: "DELETE" })).status).toBe(204);
    expect(s.requests()).toEqual([]);
  });

  it("keeps ids unique across reset()", async () => {
    const s = await sim();
    await postRaw(`${s.openaiBaseUrl}/chat/completions`, chat(), { authorization: "Bearer k" });
    const first = s.requests()[0]?.id;
    s.reset();
    await postRaw(`${s.openaiBaseUrl}/chat/completions`, chat(), { authorization: "Bearer k" });
    expect(s.requests()[0]?.id).not.toBe(first);
  });

  it("caps the log at maxRecords, keeping the newest", async () => {
    const s = await sim({ maxRecords: 3 });
    for (let i = 0; i < 8; i++) {
      await postRaw(`${s.openaiBaseUrl}/chat/completions`, chat(`m${i}`), { authorization: "Bearer k" });
    }
    const texts = s
      .requests()
      .map((r) => (r.body as { messages: { content: string }[] }).messages[0]?.content);
    expect(texts).toEqual(["m5", "m6", "m7"]);
  });

  it("records nothing with record: false but still answers", async () => {
    const s = await sim({ record: false });
    const res = await postRaw(`${s.openaiBaseUrl}/chat/completions`, chat(), { authorization: "Bearer k" });
    expect(res.status).toBe(200);
    expect(s.requests()).toEqual([]);
  });

  it("waitFor rejects after its timeout, listing what it saw", async () => {
    const s = await sim();
    await postRaw(`${s.openaiBaseUrl}/chat/completions`, chat(), { authorization: "Bearer k" });
    await expect(s.waitFor((r) => r.aborted, 50)).rejects.toThrow(/POST \/v1\/chat\/completions status=200/);
  });

  it("close() resolves even with a hung request open", async () => {
    const s = await startSimulator();
    const pending = postRaw(`${s.openaiBaseUrl}/chat/completions`, chat("[[sim:hang]]"), {
      authorization: "Bearer k",
    }).catch((e: unknown) => e);
    await s.waitFor((r) => r.path === "/v1/chat/completions");
    await s.close();
    expect(await pending).toBeInstanceOf(Error);
    expect(s.requests()[0]?.finished).toBe(false);
  });
});
