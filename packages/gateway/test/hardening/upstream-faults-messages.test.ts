/**
 * Spot checks of the upstream fault matrix through `POST /v1/messages`: the Anthropic pass-through and a
 * translated provider end each fault in a status with Anthropic's error envelope (before the first
 * byte) or an `event: error` (after it), bounded by the same timeouts, with a usage row.
 */
import { afterAll, beforeAll, describe, it } from "vitest";
import { type FaultGateway, startFaultGateway } from "./fault-gateway.js";
import { MAX_EVENT_BYTES, SLACK_MS, TIMEOUTS } from "./fault-matrix.js";

let g: FaultGateway;
beforeAll(async () => {
  g = await startFaultGateway();
}, 30_000);
afterAll(() => g?.close());

interface AnthropicError {
  type: "error";
  error: { type: string; code: string; message: string };
  request_id: string;
}

async function messages(model: string, stream: boolean, directive: string) {
  const started = performance.now();
  const res = await fetch(`${g.h.url}/v1/messages`, {
    method: "POST",
    headers: { "x-api-key": g.h.key, "content-type": "application/json" },
    body: JSON.stringify({
      model,
      max_tokens: 100,
      stream,
      messages: [{ role: "user", content: `Say eight words. [[sim:words=8,${directive}]]` }],
    }),
  });
  const text = await res.text();
  return {
    res,
    text,
    elapsed: performance.now() - started,
    requestId: res.headers.get("x-request-id") as string,
  };
}

/** The data of the stream's last event, which must be `event: error`. */
function lastErrorEvent(text: string): AnthropicError {
  const last = text.trim().split("\n\n").at(-1) as string;
  const [name, data] = last.split("\n");
  if (name !== "event: error") throw new Error(`the stream ended with ${name}, not an error event`);
  return JSON.parse((data as string).slice("data: ".length)) as AnthropicError;
}

const MODELS = [
  { name: "Anthropic pass-through", model: "anthropic/claude-haiku-4-5", mid: 5 },
  { name: "OpenAI translated", model: "openai/gpt-4o-mini", mid: 3 },
];

describe.each(MODELS)("/v1/messages faults: $name", ({ model, mid }) => {
  it.concurrent("a stall before headers → 504 timeout_error in Anthropic's envelope", async ({ expect }) => {
    const { res, text, elapsed, requestId } = await messages(model, true, "hang");
    expect(res.status).toBe(504);
    expect(JSON.parse(text)).toMatchObject({
      type: "error",
      error: { type: "timeout_error", code: "gateway_timeout" },
    });
    expect(elapsed).toBeLessThan(TIMEOUTS.firstByteMs + SLACK_MS);
    expect(await g.usageRow(requestId)).toMatchObject({ status: 504, errorCode: "gateway_timeout" });
  });

  it.concurrent("an HTML error page → 502 that names the page, no markup", async ({ expect }) => {
    const { res, text } = await messages(model, false, "html_error=502");
    expect(res.status).toBe(502);
    const body = JSON.parse(text) as AnthropicError;
    expect(body.error.code).toBe("upstream_error");
    expect(body.error.message).toContain('an HTML page titled "502 Bad Gateway"');
  });

  it.concurrent("a 200 with an error body → 502 with the vendor's message", async ({ expect }) => {
    const { res, text } = await messages(model, false, "error_body");
    expect(res.status).toBe(502);
    expect((JSON.parse(text) as AnthropicError).error.message).toContain("Simulated error in a 200 body");
  });

  it.concurrent.for([
    {
      fault: "a cut mid-stream",
      directive: `cut_after=${mid}`,
      code: "upstream_error",
      bound: TIMEOUTS.firstByteMs,
    },
    {
      fault: "a clean end without message_stop",
      directive: `end_after=${mid}`,
      code: "upstream_error",
      bound: TIMEOUTS.firstByteMs,
    },
    {
      fault: "a stall mid-stream",
      directive: `hang_after=${mid}`,
      code: "gateway_timeout",
      bound: TIMEOUTS.idleMs,
    },
    {
      fault: "a 1 byte/s drip mid-stream",
      directive: `drip_bps=1,drip_after=${mid}`,
      code: "gateway_timeout",
      bound: TIMEOUTS.totalMs,
    },
    {
      fault: "an oversized event",
      directive: `oversized=${2 * MAX_EVENT_BYTES}`,
      code: "upstream_error",
      bound: TIMEOUTS.firstByteMs,
    },
  ])("$fault → an error event after what was relayed", async (c, { expect }) => {
    const { res, text, elapsed, requestId } = await messages(model, true, c.directive);
    expect(res.status).toBe(200);
    expect(text.startsWith("event: message_start\n")).toBe(true);
    expect(text).toContain('"text":"w1 "');
    expect(lastErrorEvent(text).error.code).toBe(c.code);
    expect(text).not.toContain("event: message_stop");
    expect(elapsed).toBeLessThan(c.bound + SLACK_MS);
    const row = await g.usageRow(requestId);
    expect(row).toMatchObject({ status: 200, errorCode: c.code });
    expect(row.promptTokens).toBeGreaterThan(0);
  });
});
