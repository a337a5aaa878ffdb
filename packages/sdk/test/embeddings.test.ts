import { embedTextForTests, isGatewayBuilt, type Stack, startStack } from "@meshapi/testkit";
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from "vitest";
import { type CreateEmbeddingResponse, MeshAPI, MeshAPIApiError } from "../src/index.js";

/** `client.embeddings.create` against the real gateway (child process) in front of the simulator. */

const gatewayBuilt = isGatewayBuilt();
if (!gatewayBuilt) {
  console.warn(
    "SKIPPED packages/sdk embeddings tests: packages/gateway/dist/cli/main.js is missing (run `npm run build`).",
  );
}

describe.skipIf(!gatewayBuilt)("client.embeddings.create", () => {
  let stack: Stack;
  let client: MeshAPI;

  beforeAll(async () => {
    stack = await startStack();
    client = new MeshAPI({ baseUrl: stack.gatewayUrl, token: stack.token });
  }, 60_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it("returns float vectors in input order, with usage and cost", async () => {
    const res = await client.embeddings.create({
      model: "openai/text-embedding-3-small",
      input: ["a", "b"],
      dimensions: 4,
    });
    expectTypeOf(res).toEqualTypeOf<CreateEmbeddingResponse<number[]>>();
    expect(res.model).toBe("openai/text-embedding-3-small");
    expect(res.data.map((d) => d.embedding)).toEqual([embedTextForTests("a", 4), embedTextForTests("b", 4)]);
    expect(res.usage.prompt_tokens).toBeGreaterThan(0);
    expect(res.usage.cost).toBeGreaterThan(0);
  });

  it("returns base64 strings when asked", async () => {
    const res = await client.embeddings.create({
      model: "openai/text-embedding-3-small",
      input: "a",
      dimensions: 4,
      encoding_format: "base64",
    });
    expectTypeOf(res.data[0]?.embedding).toEqualTypeOf<string | undefined>();
    const bytes = Buffer.from(res.data[0]?.embedding ?? "", "base64");
    expect(Array.from(new Float32Array(bytes.buffer, bytes.byteOffset, 4))).toEqual(
      embedTextForTests("a", 4),
    );
  });

  it("raises the gateway's error for bad input", async () => {
    const err = await client.embeddings
      .create({ model: "openai/text-embedding-3-small", input: "" })
      .catch((e) => e);
    expect(err).toBeInstanceOf(MeshAPIApiError);
    expect((err as MeshAPIApiError).status).toBe(422);
    expect((err as MeshAPIApiError).errorCode).toBe("validation_error");
    expect((err as MeshAPIApiError).param).toBe("input");
  });
});
