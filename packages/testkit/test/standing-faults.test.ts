/** Standing faults (`setFaults`, `/_sim/faults`) and the `reset` directive, through the official SDK. */
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parseDirectives, type Simulator, withStanding } from "../src/index.js";
import { MODEL, openaiClient, withSimulator } from "./helpers.js";

let sim: Simulator;
let client: OpenAI;

beforeAll(async () => {
  sim = await withSimulator();
  client = openaiClient(sim);
});
afterAll(() => sim.close());
beforeEach(() => {
  sim.reset();
  sim.setFaults(null);
});

const ask = (content: string) =>
  client.chat.completions.create({ model: MODEL, messages: [{ role: "user", content }] });
const status = (p: Promise<unknown>) =>
  p.then(
    () => 200,
    (e: unknown) => (e as { status?: number }).status ?? "no status",
  );

describe("standing faults", () => {
  it("apply to every model request until cleared; the message's own directives win", async () => {
    sim.setFaults("status=503");
    expect(await status(ask("a"))).toBe(503);
    expect(await status(ask("b"))).toBe(503);
    expect(await status(ask("c [[sim:status=429]]"))).toBe(429);
    sim.setFaults(null);
    expect((await ask("d")).choices[0]?.message.content).toBe("You said: d");
  });

  it("with a count, apply to the next N requests only (a storm that ends)", async () => {
    sim.setFaults("status=500", 2);
    expect([await status(ask("1")), await status(ask("2")), await status(ask("3"))]).toEqual([500, 500, 200]);
  });

  it("are set over HTTP too, for tests in other languages", async () => {
    const put = await fetch(`${sim.url}/_sim/faults`, {
      method: "PUT",
      body: JSON.stringify({ directives: "status=502", count: 1 }),
    });
    expect(put.status).toBe(204);
    expect(await status(ask("x"))).toBe(502);
    expect(await status(ask("y"))).toBe(200);
    await fetch(`${sim.url}/_sim/faults`, {
      method: "PUT",
      body: JSON.stringify({ directives: "status=503" }),
    });
    await fetch(`${sim.url}/_sim/faults`, { method: "DELETE" });
    expect(await status(ask("z"))).toBe(200);
  });

  it("do not touch GET requests (the model list)", async () => {
    sim.setFaults("status=500");
    expect((await client.models.list()).data.length).toBeGreaterThan(0);
  });
});

describe("reset", () => {
  it("destroys the connection before any response byte", async () => {
    const error = await ask("[[sim:reset]] hi").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.APIConnectionError);
    expect(sim.requests()[0]?.status).toBeNull();
  });

  it("is a flag, and standing text goes before the message's", () => {
    expect(parseDirectives("[[sim:reset]]").ok && parseDirectives("[[sim:reset]]")).toMatchObject({
      directives: { reset: true },
    });
    expect(withStanding("hi", "status=500")).toBe("[[sim:status=500]] hi");
    expect(withStanding("hi", undefined)).toBe("hi");
  });
});
