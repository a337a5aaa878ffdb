import type { ServerResponse } from "node:http";
import { expect } from "vitest";
import { type ChatCompletionChunk, MeshAPI, MeshAPIApiError } from "../../src/index.js";
import { chunk, sseData, startSSE } from "./server.js";

export const streamParams = {
  model: "openai/gpt-4o-mini",
  messages: [{ role: "user" as const, content: "Hi" }],
  stream: true as const,
};

export function client(url: string, extra: ConstructorParameters<typeof MeshAPI>[0] = {}): MeshAPI {
  return new MeshAPI({ baseUrl: url, token: "rsk_TEST", ...extra });
}

export const usage = { prompt_tokens: 2, completion_tokens: 3, total_tokens: 5, cost: 0.00042 };

/** A well-formed stream: keep-alive comment, role, three words, finish with usage, [DONE]. */
export function happyStream(res: ServerResponse): void {
  startSSE(res);
  res.write(": keep-alive\n\n");
  res.write(sseData(chunk({ role: "assistant", content: "" })));
  for (const word of ["Hello", " there", " friend"]) res.write(sseData(chunk({ content: word })));
  res.write(sseData({ ...chunk({}), choices: [{ index: 0, delta: {}, finish_reason: "stop" }], usage }));
  res.end(sseData("[DONE]"));
}

export async function collect<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of stream) items.push(item);
  return items;
}

/** Iterates to the end and returns the MeshAPIApiError the loop threw (fails if none). */
export async function iterationError(stream: AsyncIterable<unknown>): Promise<MeshAPIApiError> {
  try {
    for await (const _ of stream) {
      // keep reading
    }
  } catch (error) {
    expect(error).toBeInstanceOf(MeshAPIApiError);
    return error as MeshAPIApiError;
  }
  throw new Error("expected the iteration to throw");
}

export function text(chunks: ChatCompletionChunk[]): string {
  return chunks.map((c) => c.choices[0]?.delta.content ?? "").join("");
}
