/**
 * startStack against the real gateway. Skips (visibly) until the gateway is built, because the
 * gateway is developed in parallel and this suite must not block anyone.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gatewayCliPath, isGatewayBuilt, STACK_PROVIDER_KEYS, type Stack, startStack } from "../src/index.js";

const built = isGatewayBuilt();
if (!built) {
  console.warn(
    `[testkit] startStack tests skipped: ${gatewayCliPath()} does not exist yet (run \`npm run build\`)`,
  );
}

describe.skipIf(!built)("startStack (built gateway)", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack?.stop());

  it("returns a gateway URL and an rsk_ key", () => {
    expect(stack.gatewayUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(stack.token).toMatch(/^rsk_/);
  });

  it("routes a request through the gateway to the simulator with the stack's provider key", async () => {
    const client = new OpenAI({ baseURL: `${stack.gatewayUrl}/v1`, apiKey: stack.token, maxRetries: 0 });
    const res = await client.chat.completions.create({
      model: "openai/gpt-4o-mini",
      messages: [{ role: "user", content: "What is the capital of France?" }],
    });
    expect(res.choices[0]?.message.content).toBe("The capital of France is Paris.");
    const upstream = await stack.simulator.waitFor((r) => r.path === "/v1/chat/completions");
    expect(upstream.headers.authorization).toBe(`Bearer ${STACK_PROVIDER_KEYS.openai}`);
  });

  it("stop() ends the gateway and removes the data dir (idempotently)", async () => {
    const other = await startStack({ createKey: "after" });
    expect(other.token).toMatch(/^rsk_/);
    await other.stop();
    await other.stop();
    expect(other.gateway.exitCode !== null || other.gateway.signalCode !== null).toBe(true);
    expect(existsSync(other.dataDir)).toBe(false);
  });
});

const stackCli = fileURLToPath(new URL("../dist/stack-cli.js", import.meta.url));
describe.skipIf(!built || !existsSync(stackCli))("stack-cli (dist/stack-cli.js)", () => {
  it("prints one JSON line and stops everything when stdin closes", async () => {
    const child = spawn(process.execPath, [stackCli], { stdio: ["pipe", "pipe", "pipe"] });
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    const line = await new Promise<string>((resolve, reject) => {
      let buffer = "";
      child.stdout.setEncoding("utf8");
      child.stdout.on("data", (chunk: string) => {
        buffer += chunk;
        const newline = buffer.indexOf("\n");
        if (newline !== -1) resolve(buffer.slice(0, newline));
      });
      child.once("exit", (code) => reject(new Error(`stack-cli exited early (${code})`)));
    });
    const info = JSON.parse(line) as { gateway_url: string; token: string; simulator_url: string };
    expect(info.token).toMatch(/^rsk_/);
    const models = await fetch(`${info.gateway_url}/v1/models`, {
      headers: { authorization: `Bearer ${info.token}` },
    });
    expect(models.status).toBe(200);
    child.stdin.end();
    expect(await exited).toBe(0);
    await expect(fetch(`${info.simulator_url}/_sim/health`)).rejects.toThrow();
  });
});

describe.skipIf(built)("startStack", () => {
  it.skip("SKIPPED: packages/gateway/dist/cli/main.js is missing — build the gateway to run these", () => {});
});
