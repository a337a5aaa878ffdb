import { describe, expectTypeOf, it } from "vitest";
import {
  type AwaitableStream,
  type ChatCompletion,
  type ChatCompletionChunk,
  type ChatCompletionCreateParams,
  type CompletionUsage,
  type ErrorDetail,
  type MeshAPI,
  MeshAPIAbortError,
  MeshAPIApiError,
  type ModelList,
  type Stream,
} from "../src/index.js";

/**
 * Type tests: checked by `tsc -p tsconfig.test.json` (part of the test command). The bodies are
 * never executed — they would send requests — so every assertion here is a compile-time one.
 */

declare const client: MeshAPI;
const base = { model: "openai/gpt-4o-mini", messages: [{ role: "user" as const, content: "Hi" }] };

describe("create() overloads", () => {
  it("types a call without stream, or with stream: false, as Promise<ChatCompletion>", () => {
    const _check = () => {
      expectTypeOf(client.chat.completions.create(base)).toEqualTypeOf<Promise<ChatCompletion>>();
      expectTypeOf(client.chat.completions.create({ ...base, stream: false })).toEqualTypeOf<
        Promise<ChatCompletion>
      >();
    };
  });

  it("types a stream: true call as a Stream of chunks, also once awaited", () => {
    const _check = async () => {
      const stream = client.chat.completions.create({ ...base, stream: true });
      expectTypeOf(stream).toEqualTypeOf<AwaitableStream<ChatCompletionChunk>>();
      expectTypeOf(stream).toMatchTypeOf<Stream<ChatCompletionChunk>>();
      expectTypeOf(stream).toMatchTypeOf<AsyncIterable<ChatCompletionChunk>>();
      expectTypeOf(stream).not.toMatchTypeOf<Promise<ChatCompletion>>();
      expectTypeOf(await stream).toEqualTypeOf<Stream<ChatCompletionChunk>>();
      expectTypeOf(stream.finalChatCompletion()).toEqualTypeOf<Promise<ChatCompletion>>();
      expectTypeOf(stream.finalText()).toEqualTypeOf<Promise<string>>();
      expectTypeOf(stream.requestId).toEqualTypeOf<Promise<string | undefined>>();
      expectTypeOf(stream.controller).toEqualTypeOf<AbortController>();
      for await (const chunk of stream) {
        expectTypeOf(chunk).toEqualTypeOf<ChatCompletionChunk>();
        expectTypeOf(chunk.choices[0]?.delta.content).toEqualTypeOf<string | null | undefined>();
      }
    };
  });

  it("types a call with a boolean stream as either", () => {
    const _check = (flag: boolean) => {
      const params: ChatCompletionCreateParams = {
        ...base,
        stream: flag ? true : undefined,
      } as ChatCompletionCreateParams;
      expectTypeOf(client.chat.completions.create(params)).toEqualTypeOf<
        Promise<ChatCompletion> | AwaitableStream<ChatCompletionChunk>
      >();
    };
  });

  it("offers the chat helpers only on chat-chunk streams", () => {
    const _check = (numbers: Stream<number>) => {
      // @ts-expect-error finalChatCompletion needs a Stream<ChatCompletionChunk>
      void numbers.finalChatCompletion();
    };
  });
});

describe("request shapes", () => {
  it("accepts content parts, tools, tool_choice forms, response_format and MeshAPI extensions", () => {
    const _check = () =>
      client.chat.completions.create({
        model: "openai/gpt-4o",
        messages: [
          { role: "developer", content: "Be brief." },
          {
            role: "user",
            content: [
              { type: "text", text: "What is this?" },
              { type: "image_url", image_url: { url: "data:image/png;base64,AAAA", detail: "low" } },
            ],
          },
          {
            role: "assistant",
            content: null,
            tool_calls: [{ id: "c1", type: "function", function: { name: "f", arguments: "{}" } }],
          },
          { role: "tool", tool_call_id: "c1", content: "ok" },
        ],
        tools: [{ type: "function", function: { name: "f", parameters: { type: "object" } } }],
        tool_choice: { type: "function", function: { name: "f" } },
        response_format: { type: "json_schema", json_schema: { name: "x", schema: { type: "object" } } },
        stream_options: { include_usage: true },
        session_id: "s1",
        models: ["openai/gpt-4o-mini"],
        transforms: ["middle-out"],
        variables: { city: "Paris" },
      });
  });

  it("lets a template stand in for messages, but not nothing", () => {
    const _check = () => {
      void client.chat.completions.create({ model: "m", template: "greeting", variables: { name: "Ada" } });
      // @ts-expect-error neither messages nor template
      void client.chat.completions.create({ model: "m" });
    };
  });

  it("rejects unknown roles and tool_choice values", () => {
    const _check = () => {
      // @ts-expect-error no such role
      void client.chat.completions.create({ model: "m", messages: [{ role: "robot", content: "x" }] });
      // @ts-expect-error no such tool_choice
      void client.chat.completions.create({ ...base, tool_choice: "sometimes" });
    };
  });
});

describe("response and error shapes", () => {
  it("exposes usage with cost and typed models", () => {
    expectTypeOf<CompletionUsage["cost"]>().toEqualTypeOf<number | undefined>();
    expectTypeOf<ChatCompletion["usage"]>().toEqualTypeOf<CompletionUsage | undefined>();
    expectTypeOf<MeshAPI["models"]["list"]>().returns.toEqualTypeOf<Promise<ModelList>>();
  });

  it("narrows with instanceof", () => {
    const _check = (error: unknown) => {
      if (error instanceof MeshAPIApiError) {
        expectTypeOf(error.status).toEqualTypeOf<number>();
        expectTypeOf(error.details).toEqualTypeOf<ErrorDetail[]>();
        expectTypeOf(error.requestId).toEqualTypeOf<string | undefined>();
      }
      if (error instanceof MeshAPIAbortError) expectTypeOf(error).toEqualTypeOf<MeshAPIAbortError>();
    };
  });
});
