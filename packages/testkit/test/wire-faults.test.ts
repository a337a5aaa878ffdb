/** The wire-level faults (`end_after`, `oversized`, `html_error`, `content_type`, `error_body`, `drip_bps`), read raw. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Simulator } from "../src/index.js";
import { MODEL, postRaw, withSimulator } from "./helpers.js";

let sim: Simulator;
beforeAll(async () => {
  sim = await withSimulator();
});
afterAll(() => sim.close());

const KEYS = { openai: "Bearer sk-test", anthropic: "sk-ant-test", gemini: "gem-test" };

interface Format {
  name: string;
  post: (content: string, stream: boolean) => ReturnType<typeof postRaw>;
  /** The stream's terminator: the last event of a complete stream. */
  terminator: RegExp;
}

const FORMATS: Format[] = [
  {
    name: "openai",
    post: (content, stream) =>
      postRaw(
        `${sim.url}/v1/chat/completions`,
        JSON.stringify({ model: MODEL, stream, messages: [{ role: "user", content }] }),
        { authorization: KEYS.openai },
      ),
    terminator: /data: \[DONE\]\n\n$/,
  },
  {
    name: "anthropic",
    post: (content, stream) =>
      postRaw(
        `${sim.url}/v1/messages`,
        JSON.stringify({
          model: "claude-haiku-4-5",
          max_tokens: 100,
          stream,
          messages: [{ role: "user", content }],
        }),
        { "x-api-key": KEYS.anthropic, "anthropic-version": "2023-06-01" },
      ),
    terminator: /event: message_stop\n/,
  },
  {
    name: "gemini",
    post: (content, stream) =>
      postRaw(
        `${sim.url}/v1beta/models/gemini-2.5-flash:${stream ? "streamGenerateContent?alt=sse" : "generateContent"}`,
        JSON.stringify({ contents: [{ role: "user", parts: [{ text: content }] }] }),
        { "x-goog-api-key": KEYS.gemini },
      ),
    terminator: /"finishReason"/,
  },
];

describe.each(FORMATS)("$name wire faults", (format) => {
  it("end_after ends the stream cleanly without its terminator; a whole stream has it", async () => {
    const whole = await format.post("[[sim:words=5]]", true);
    expect(whole.text).toMatch(format.terminator);
    const cut = await format.post("[[sim:words=5,end_after=2]]", true);
    expect(cut.status).toBe(200);
    expect(cut.text).not.toMatch(format.terminator);
    expect(cut.text.split(/\r?\n\r?\n/).filter((e) => e.includes("data:"))).toHaveLength(2);
  });

  it("end_after on a body sends half of it with a matching length", async () => {
    const res = await format.post("[[sim:end_after=1]] hi", false);
    expect(res.status).toBe(200);
    expect(res.json).toBeNull();
    expect(Number(res.headers.get("content-length"))).toBe(Buffer.byteLength(res.text));
  });

  it("oversized pads one event (and a body) that stays valid JSON", async () => {
    const stream = await format.post("[[sim:words=3,oversized=100000]]", true);
    const events = stream.text.split(/\r?\n\r?\n/).filter((e) => e.includes("data:"));
    const big = events.filter((e) => e.length > 100_000);
    expect(big).toHaveLength(1);
    expect(() =>
      JSON.parse((big[0] as string).slice((big[0] as string).indexOf("data: ") + 6)),
    ).not.toThrow();
    expect(stream.text).toMatch(format.terminator);
    const body = await format.post("[[sim:oversized=50000]]", false);
    expect(body.text.length).toBeGreaterThan(50_000);
    expect((body.json as { padding: string }).padding).toHaveLength(50_000);
  });

  it("html_error answers with an HTML page and that status", async () => {
    const res = await format.post("[[sim:html_error=502]]", true);
    expect(res.status).toBe(502);
    expect(res.headers.get("content-type")).toBe("text/html");
    expect(res.text).toContain("<title>502 Bad Gateway</title>");
  });

  it("content_type replaces the content type of a 200, not its body", async () => {
    const stream = await format.post("[[sim:content_type=text/plain]]", true);
    expect(stream.status).toBe(200);
    expect(stream.headers.get("content-type")).toBe("text/plain");
    expect(stream.text).toMatch(format.terminator);
    const body = await format.post("[[sim:content_type=text/html]]", false);
    expect(body.headers.get("content-type")).toBe("text/html");
    expect(body.json).not.toBeNull();
  });

  it("error_body: the vendor's error JSON with a 200, or as a stream's first event", async () => {
    const body = await format.post("[[sim:error_body]]", false);
    expect(body.status).toBe(200);
    expect(body.json).toMatchObject({ error: { message: expect.stringContaining("Simulated error") } });
    const stream = await format.post("[[sim:error_body]]", true);
    expect(stream.status).toBe(200);
    const first = stream.text.split(/\r?\n\r?\n/)[0] as string;
    expect(first).toContain('"error"');
    expect(stream.text).not.toMatch(format.terminator);
  });
});

describe("drip_bps", () => {
  it("sends the body a few bytes at a time until the client leaves", async () => {
    const controller = new AbortController();
    const res = await fetch(`${sim.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: KEYS.openai, "content-type": "application/json" },
      body: JSON.stringify({
        model: MODEL,
        stream: true,
        messages: [{ role: "user", content: "[[sim:drip_bps=20,drip_after=1]] one two" }],
      }),
      signal: controller.signal,
    });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const sizes: number[] = [];
    // The first event comes whole; after it, a couple of bytes per read (20 B/s in 10 steps a second).
    while (sizes.length < 4) {
      const { value } = await reader.read();
      if (value) sizes.push(value.byteLength);
    }
    controller.abort();
    expect(sizes[0]).toBeGreaterThan(20);
    for (const size of sizes.slice(1)) expect(size).toBeLessThan(20);
  });
});
