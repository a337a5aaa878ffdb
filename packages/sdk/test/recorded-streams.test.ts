import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { type ServerSentEvent, SSEDecoder } from "../src/core/sse.js";
import { MeshAPI } from "../src/index.js";
import { startServer, startSSE, type TestServer } from "./helpers/server.js";

/**
 * Streams recorded from the real gateway (fixtures/record.mjs), decoded under every way the
 * network could cut them, then consumed through the client from a real HTTP server.
 */

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));
const recordings = {
  "text-unicode.sse": fixture("text-unicode.sse"),
  "parallel-tool-calls.sse": fixture("parallel-tool-calls.sse"),
};

function decode(pieces: Uint8Array[]): ServerSentEvent[] {
  const decoder = new SSEDecoder();
  const events = pieces.flatMap((piece) => decoder.decode(piece));
  return [...events, ...decoder.flush()];
}

/** What the recording contains, read naively: `data: …` blocks separated by blank lines. */
function expectedData(bytes: Uint8Array): string[] {
  return new TextDecoder()
    .decode(bytes)
    .split("\n\n")
    .filter((block) => block.length > 0)
    .map((block) => block.replace(/^data: /, ""));
}

const variants = (bytes: Uint8Array): Array<[string, Uint8Array]> => {
  const text = new TextDecoder().decode(bytes);
  const encode = (s: string) => new TextEncoder().encode(s);
  return [
    ["LF", bytes],
    ["CRLF", encode(text.replaceAll("\n", "\r\n"))],
    ["CR", encode(text.replaceAll("\n", "\r"))],
    ["BOM + comments", encode(`\uFEFF: hello\n\n${text.replaceAll("\n\n", "\n: ping\n\n")}`)],
  ];
};

describe("recorded gateway streams", () => {
  for (const [name, bytes] of Object.entries(recordings)) {
    const expected = expectedData(bytes);

    it(`${name}: same events at every split point, for every line ending`, () => {
      expect(expected.at(-1)).toBe("[DONE]");
      for (const [variant, input] of variants(bytes)) {
        const whole = decode([input]).map((e) => e.data);
        expect(whole, variant).toEqual(expected);
        for (let at = 0; at <= input.length; at++) {
          const split = decode([input.subarray(0, at), input.subarray(at)]).map((e) => e.data);
          if (split.length !== expected.length || split.some((d, i) => d !== expected[i])) {
            expect.fail(`${variant}: split at byte ${at} decoded differently`);
          }
        }
        const bytewise = decode(Array.from(input, (_, i) => input.subarray(i, i + 1))).map((e) => e.data);
        expect(bytewise, `${variant} byte by byte`).toEqual(expected);
      }
    });
  }
});

describe("recorded streams through the client", () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  /** Serves `bytes` in writes of `size` bytes. */
  async function serve(bytes: Uint8Array, size: number): Promise<MeshAPI> {
    server = await startServer(async (_req, res) => {
      startSSE(res);
      for (let i = 0; i < bytes.length; i += size) {
        res.write(bytes.subarray(i, i + size));
        await new Promise((resolve) => setImmediate(resolve));
      }
      res.end();
    });
    return new MeshAPI({ baseUrl: server.url, token: "rsk_TEST" });
  }

  const params = { model: "m", messages: [{ role: "user" as const, content: "x" }], stream: true as const };

  for (const size of [1, 13, 4096]) {
    it(`text with multi-byte characters, ${size}-byte writes`, async () => {
      const client = await serve(recordings["text-unicode.sse"], size);
      const stream = client.chat.completions.create(params);
      const completion = await stream.finalChatCompletion();
      expect(completion.choices[0]?.message.content).toBe("You said: Grüße aus 東京 👋🏽 — ça va?");
      expect(completion.choices[0]?.finish_reason).toBe("stop");
      expect(completion.usage?.cost).toBeGreaterThan(0);
    });

    it(`parallel tool calls, ${size}-byte writes`, async () => {
      const client = await serve(recordings["parallel-tool-calls.sse"], size);
      const completion = await client.chat.completions.create(params).finalChatCompletion();
      const message = completion.choices[0]?.message;
      expect(message?.content).toBeNull();
      expect(message?.tool_calls?.map((c) => [c.function.name, JSON.parse(c.function.arguments)])).toEqual([
        ["get_weather", { city: "Lisbon" }],
        ["get_time", { zone: "Lisbon" }],
      ]);
      expect(completion.choices[0]?.finish_reason).toBe("tool_calls");
      expect(completion.usage?.cost).toBe(0.00012);
    });
  }
});
