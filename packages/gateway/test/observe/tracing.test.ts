import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Simulator, startSimulator } from "@meshapi/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ask, readEvents, startHarness } from "../helpers/harness.js";
import { type OtlpReceiver, type ReceivedSpan, startOtlpReceiver } from "../helpers/otlp-receiver.js";

const SERVER = 2; // OTLP SpanKind
const CLIENT = 3;
const ERROR = 2; // OTLP StatusCode

/** Runs requests through a gateway exporting to `receiver`, then stops it (which flushes the spans). */
async function traced(
  sim: Simulator,
  receiver: OtlpReceiver,
  env: Record<string, string>,
  run: (h: Awaited<ReturnType<typeof startHarness>>) => Promise<void>,
  configPath?: string,
): Promise<void> {
  const h = await startHarness({
    sim,
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_SERVICE_NAME: "meshapi-test", ...env },
    ...(configPath ? { configPath } : {}),
  });
  try {
    await run(h);
  } finally {
    await h.close();
  }
}

const roots = (spans: ReceivedSpan[]) => spans.filter((s) => s.parentSpanId === undefined);
const childrenOf = (spans: ReceivedSpan[], parent: ReceivedSpan) =>
  spans.filter((s) => s.parentSpanId === parent.spanId && s.traceId === parent.traceId);

describe("OpenTelemetry tracing to an OTLP/HTTP receiver", () => {
  let sim: Simulator;
  let receiver: OtlpReceiver;
  let requestIds: string[] = [];
  /** Upstream attempts per request, as the gateway reports them (1 without retries). */
  let attemptCounts: number[] = [];
  const dir = mkdtempSync(join(tmpdir(), "meshapi-otel-"));

  beforeAll(async () => {
    sim = await startSimulator();
    receiver = await startOtlpReceiver();
    // A provider nobody listens for: its connection error makes the request fall back to OpenAI.
    const configPath = join(dir, "config.json");
    writeFileSync(
      configPath,
      JSON.stringify({ providers: { dead: { baseUrl: "http://127.0.0.1:9/v1", requiresKey: false } } }),
    );
    await traced(
      sim,
      receiver,
      {},
      async (h) => {
        const plain = await h.chat(ask("What is traced?", { temperature: 0.5, max_tokens: 50 }));
        expect(plain.status).toBe(200);
        const fallback = await h.chat(
          ask("fall back", { model: "dead/model-x", models: ["openai/gpt-4o-mini"] }),
        );
        expect(fallback.status).toBe(200);
        const stream = await h.chat(ask("stream me", { stream: true }));
        await readEvents(stream);
        const failed = await h.chat(ask("boom [[sim:status=500]]"));
        expect(failed.status).toBe(502);
        const all = [plain, fallback, stream, failed];
        requestIds = all.map((r) => r.headers.get("x-request-id") as string);
        attemptCounts = all.map((r) => Number(r.headers.get("x-meshapi-attempts") ?? "1"));
      },
      configPath,
    );
  });
  afterAll(async () => {
    await receiver?.close();
    await sim?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("exports OTLP/JSON with the service name", () => {
    expect(receiver.contentTypes.every((t) => t.includes("application/json"))).toBe(true);
    expect(receiver.spans.length).toBeGreaterThan(0);
    expect(receiver.spans.every((s) => s.resource["service.name"] === "meshapi-test")).toBe(true);
  });

  it("sends one server span per request with the GenAI attributes", () => {
    const requests = roots(receiver.spans);
    expect(requests).toHaveLength(4);
    const plain = requests.find((s) => s.attributes["meshapi.request_id"] === requestIds[0]) as ReceivedSpan;
    expect(plain.kind).toBe(SERVER);
    expect(plain.name).toBe("chat openai/gpt-4o-mini");
    expect(plain.attributes).toMatchObject({
      "gen_ai.operation.name": "chat",
      "gen_ai.provider.name": "openai",
      "gen_ai.system": "openai",
      "gen_ai.request.model": "openai/gpt-4o-mini",
      "gen_ai.response.model": "openai/gpt-4o-mini",
      "gen_ai.request.temperature": 0.5,
      "gen_ai.request.max_tokens": 50,
      "http.response.status_code": 200,
    });
    expect(plain.attributes["gen_ai.usage.input_tokens"]).toBeGreaterThan(0);
    expect(plain.attributes["gen_ai.usage.output_tokens"]).toBeGreaterThan(0);
    expect(plain.attributes["meshapi.cost_usd"]).toBeGreaterThan(0);
  });

  it("sends a client child span per upstream attempt, the failed one marked as an error", () => {
    const fallback = roots(receiver.spans).find(
      (s) => s.attributes["meshapi.request_id"] === requestIds[1],
    ) as ReceivedSpan;
    const attempts = childrenOf(receiver.spans, fallback);
    // One span per attempt: the dead provider (retried, where the gateway retries), then OpenAI.
    expect(attempts.length).toBe(Math.max(2, attemptCounts[1] ?? 0));
    const providers = attempts.map((a) => a.attributes["gen_ai.provider.name"]);
    expect(new Set(providers)).toEqual(new Set(["dead", "openai"]));
    expect(providers.filter((p) => p === "openai")).toHaveLength(1);
    expect(attempts.every((a) => a.kind === CLIENT)).toBe(true);
    for (const dead of attempts.filter((a) => a.attributes["gen_ai.provider.name"] === "dead")) {
      expect(dead.status.code).toBe(ERROR);
      expect(dead.attributes["error.type"]).toBe("upstream_error");
    }
    const ok = attempts.find((a) => a.attributes["gen_ai.provider.name"] === "openai") as ReceivedSpan;
    expect(ok.attributes["gen_ai.request.model"]).toBe("gpt-4o-mini");
    expect(ok.attributes["server.address"]).toBe("127.0.0.1");
    expect(ok.attributes["gen_ai.response.id"]).toEqual(expect.any(String));
    expect(fallback.attributes["gen_ai.response.model"]).toBe("openai/gpt-4o-mini");
  });

  it("marks a request the upstream failed as an error, with its error code", () => {
    const failed = roots(receiver.spans).find((s) => s.attributes["meshapi.request_id"] === requestIds[3]);
    expect(failed?.attributes["http.response.status_code"]).toBe(502);
    expect(failed?.status.code).toBe(ERROR);
    expect(failed?.attributes["error.type"]).toBe("upstream_error");
    const attempts = childrenOf(receiver.spans, failed as ReceivedSpan);
    expect(attempts).toHaveLength(attemptCounts[3] ?? 1);
    expect(attempts.every((a) => a.status.code === ERROR)).toBe(true);
  });

  it("never exports prompts or completions by default", () => {
    const text = JSON.stringify(receiver.spans);
    expect(text).not.toContain("What is traced?");
    expect(text).not.toContain("gen_ai.input.messages");
    expect(text).not.toContain("gen_ai.output.messages");
  });

  it("exports them when MESHAPI_OTEL_CAPTURE_CONTENT=true", async () => {
    const before = receiver.spans.length;
    await traced(sim, receiver, { MESHAPI_OTEL_CAPTURE_CONTENT: "true" }, async (h) => {
      expect((await h.chat(ask("Capture this prompt"))).status).toBe(200);
    });
    const spans = receiver.spans.slice(before);
    const request = roots(spans)[0] as ReceivedSpan;
    expect(String(request.attributes["gen_ai.input.messages"])).toContain("Capture this prompt");
    const attempt = childrenOf(spans, request)[0] as ReceivedSpan;
    expect(String(attempt.attributes["gen_ai.output.messages"])).toContain("assistant");
  });
});
