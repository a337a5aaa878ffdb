import { afterEach, describe, expect, it } from "vitest";
import type { ChatCompletion, ChatCompletionChunk, Stream } from "../src/index.js";
import {
  chunk,
  errorEnvelope,
  sendJSON,
  sseData,
  startServer,
  startSSE,
  type TestServer,
} from "./helpers/server.js";
import { client, happyStream, streamParams as params, text, usage } from "./helpers/streams.js";

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("stream helpers", () => {
  /** Two interleaved tool calls, usage on a final choices:[] chunk. */
  function toolStream(res: Parameters<Parameters<typeof startServer>[0]>[1]): void {
    startSSE(res);
    const call = (index: number, extra: Record<string, unknown>) => ({ index, ...extra });
    res.write(
      sseData(
        chunk({
          role: "assistant",
          content: null,
          tool_calls: [
            call(0, { id: "call_a", type: "function", function: { name: "get_weather", arguments: "" } }),
          ],
        }),
      ),
    );
    res.write(
      sseData(
        chunk({
          tool_calls: [
            call(1, { id: "call_b", type: "function", function: { name: "get_time", arguments: "" } }),
          ],
        }),
      ),
    );
    res.write(sseData(chunk({ tool_calls: [call(0, { function: { arguments: '{"city":' } })] })));
    res.write(sseData(chunk({ tool_calls: [call(1, { function: { arguments: '{"tz":"CET"}' } })] })));
    res.write(sseData(chunk({ tool_calls: [call(0, { function: { arguments: '"Paris"}' } })] })));
    res.write(sseData({ ...chunk({}), choices: [{ index: 0, delta: {}, finish_reason: "tool_calls" }] }));
    res.write(sseData({ ...chunk({}), choices: [], usage }));
    res.end(sseData("[DONE]"));
  }

  it("finalChatCompletion() reads the stream and assembles tool calls, finish reason and usage", async () => {
    server = await startServer((_req, res) => toolStream(res));
    const stream = client(server.url).chat.completions.create(params);
    const completion = await stream.finalChatCompletion();
    expect(completion).toEqual({
      id: "chatcmpl-1",
      object: "chat.completion",
      created: 1,
      model: "openai/gpt-4o-mini",
      choices: [
        {
          index: 0,
          message: {
            role: "assistant",
            content: null,
            tool_calls: [
              {
                id: "call_a",
                type: "function",
                function: { name: "get_weather", arguments: '{"city":"Paris"}' },
              },
              { id: "call_b", type: "function", function: { name: "get_time", arguments: '{"tz":"CET"}' } },
            ],
          },
          finish_reason: "tool_calls",
          logprobs: null,
        },
      ],
      usage,
    });
    expect(await stream.finalText()).toBe("");
  });

  it("finalText() after a for-await loop returns what the loop saw", async () => {
    server = await startServer((_req, res) => happyStream(res));
    const stream: Stream<ChatCompletionChunk> = client(server.url).chat.completions.create(params);
    let seen = "";
    for await (const c of stream) seen += c.choices[0]?.delta.content ?? "";
    expect(await stream.finalText()).toBe(seen);
    expect((await stream.finalChatCompletion()).usage?.cost).toBe(0.00042);
  });

  it("finalChatCompletion() during a loop waits for the loop to finish", async () => {
    server = await startServer((_req, res) => happyStream(res));
    const stream = client(server.url).chat.completions.create(params);
    let looped = "";
    let final: Promise<ChatCompletion> | undefined;
    for await (const c of stream) {
      // Asked mid-loop: must not steal chunks from the loop, only wait for it.
      final ??= stream.finalChatCompletion();
      looped += c.choices[0]?.delta.content ?? "";
    }
    expect(looped).toBe("Hello there friend");
    expect((await final)?.choices[0]?.message.content).toBe(looped);
  });

  it("finalChatCompletion() rejects when the loop broke off early", async () => {
    server = await startServer((_req, res) => happyStream(res));
    const stream = client(server.url).chat.completions.create(params);
    for await (const _ of stream) break;
    await expect(stream.finalChatCompletion()).rejects.toMatchObject({ name: "AbortError" });
  });

  it("finalChatCompletion() rejects with the stream's error", async () => {
    server = await startServer((_req, res) =>
      sendJSON(res, 402, errorEnvelope("spend_limit_exceeded", "cap")),
    );
    const stream = client(server.url).chat.completions.create(params);
    await expect(stream.finalChatCompletion()).rejects.toMatchObject({ errorCode: "spend_limit_exceeded" });
  });

  it("toReadableStream() emits the chunks as newline-delimited JSON", async () => {
    server = await startServer((_req, res) => happyStream(res));
    const readable = client(server.url).chat.completions.create(params).toReadableStream();
    const body = await new Response(readable).text();
    const lines = body
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as ChatCompletionChunk);
    expect(text(lines)).toBe("Hello there friend");
  });

  it("cancelling the readable stream closes the connection", async () => {
    server = await startServer((_req, res) => {
      startSSE(res);
      const timer = setInterval(() => res.write(sseData(chunk({ content: "x" }))), 10);
      res.on("close", () => clearInterval(timer));
    });
    const reader = client(server.url).chat.completions.create(params).toReadableStream().getReader();
    await reader.read();
    await reader.cancel();
    await server.requests[0]?.done;
    expect(server.requests[0]?.closedEarly).toBe(true);
  });
});
