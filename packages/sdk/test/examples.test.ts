import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isGatewayBuilt, type Stack, startStack } from "@meshapi/testkit";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureDist, SDK_DIR, typecheck } from "./helpers/build.js";
import { runNode } from "./helpers/node.js";

/**
 * The documentation's snippets (packages/sdk/examples), run as users would: compiled from
 * TypeScript, importing "meshapi-node-sdk" (the built package), against the real gateway in front
 * of the provider simulator.
 */

const gatewayBuilt = isGatewayBuilt();
if (!gatewayBuilt) {
  console.warn(
    "SKIPPED packages/sdk examples: packages/gateway/dist/cli/main.js is missing (run `npm run build`).",
  );
}

const EXAMPLES_DIR = join(SDK_DIR, "examples");
// A scratch project outside the repository whose node_modules/meshapi-node-sdk links to this
// package, so `import "meshapi-node-sdk"` resolves through package.json's exports like a user's would.
let OUT_DIR = "";

function compileExample(name: string): string {
  const source = readFileSync(join(EXAMPLES_DIR, `${name}.ts`), "utf8");
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022 },
  });
  const file = join(OUT_DIR, `${name}.mjs`);
  writeFileSync(file, outputText);
  return file;
}

describe.skipIf(!gatewayBuilt)("documentation examples against the gateway", () => {
  let stack: Stack;

  beforeAll(async () => {
    OUT_DIR = mkdtempSync(join(tmpdir(), "meshapi-sdk-examples-"));
    mkdirSync(join(OUT_DIR, "node_modules"));
    symlinkSync(SDK_DIR, join(OUT_DIR, "node_modules", "meshapi-node-sdk"), "dir");
    [stack] = await Promise.all([startStack(), ensureDist()]);
  }, 60_000);

  afterAll(async () => {
    await stack?.stop();
    if (OUT_DIR) rmSync(OUT_DIR, { recursive: true, force: true });
  });

  function runExample(name: string) {
    return runNode([compileExample(name)], {
      cwd: OUT_DIR,
      env: { MESHAPI_BASE_URL: stack.gatewayUrl, MESHAPI_TOKEN: stack.token },
    });
  }

  it("type-check against the built declarations", async () => {
    const result = await typecheck(join(EXAMPLES_DIR, "tsconfig.json"));
    expect(result.output).toBe("");
    expect(result.ok).toBe(true);
  });

  it("chat-completion prints the answer and the token count", async () => {
    const result = await runExample("chat-completion");
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^The capital of France is Paris\.\nTokens used: \d+\n$/);
    const upstream = stack.simulator.requests().at(-1)?.body as Record<string, unknown>;
    expect(upstream).toMatchObject({ model: "gpt-4o-mini", temperature: 0.7, max_tokens: 256 });
  });

  it("streaming writes the deltas as they come, then the full text", async () => {
    const result = await runExample("streaming");
    expect(result.code).toBe(0);
    const reply = "You said: Write a haiku about TypeScript.";
    expect(result.stdout).toBe(`${reply}\n--- Full response: ${reply}\n`);
  });

  it("streaming-tool-calls prints tool-call deltas that assemble into get_weather(Paris)", async () => {
    const result = await runExample("streaming-tool-calls");
    expect(result.code).toBe(0);
    const deltas = result.stdout
      .trim()
      .split("\n")
      .filter((line) => line !== "undefined")
      .map(
        (line) =>
          JSON.parse(line) as { tool_calls?: Array<{ function?: { name?: string; arguments?: string } }> },
      );
    const fragments = deltas.flatMap((d) => d.tool_calls ?? []);
    expect(fragments.find((f) => f.function?.name)?.function?.name).toBe("get_weather");
    const args = fragments.map((f) => f.function?.arguments ?? "").join("");
    expect(JSON.parse(args)).toEqual({ city: "Paris" });
  });

  it("cancel-stream stops after 5 s with 'Stream cancelled.' and the upstream request is cancelled", async () => {
    const result = await runExample("cancel-stream");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^w1 w2 (w\d+ )+Stream cancelled\.\n$/);
    expect(result.stdout).not.toContain("w400");
    const upstream = await stack.simulator.waitFor(
      (r) => JSON.stringify(r.body).includes("Tell me a long story") && r.aborted,
    );
    expect(upstream.finished).toBe(false);
  }, 20_000);
});
