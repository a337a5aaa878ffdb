/**
 * Issue 22, upstream fault matrix: every fault × wire format × stream/non-stream through a real gateway
 * and the testkit simulators. Each ends in its documented status (before the first byte) or an in-band
 * error frame + `data: [DONE]` (after it), within the timeout that bounds it, with a usage row for what
 * was delivered. The table of cases is fault-matrix.ts.
 */
import { afterAll, beforeAll, describe, it } from "vitest";
import { readEvents } from "../helpers/harness.js";
import { type FaultGateway, startFaultGateway } from "./fault-gateway.js";
import { CASES, type FaultCase, FORMATS, type Format, SLACK_MS } from "./fault-matrix.js";

let g: FaultGateway;
beforeAll(async () => {
  g = await startFaultGateway();
}, 30_000);
afterAll(() => g?.close());

type Envelope = { error: { code: string; message: string; type: string }; request_id: string };

async function run(f: Format, c: FaultCase) {
  const directive = c.directive === null ? "" : ` [[sim:words=8,${c.directive(f)}]]`;
  const started = performance.now();
  const res = await g.h.chat({
    model: c.directive === null ? f.deadModel : f.model,
    stream: c.stream,
    messages: [{ role: "user", content: `Say eight words.${directive}` }],
  });
  const text = await res.text();
  return { res, text, elapsed: performance.now() - started };
}

function events(text: string): Promise<unknown[]> {
  return readEvents(new Response(text));
}

describe.each(FORMATS)("$name upstream faults", (f) => {
  // Concurrent: most cases wait on a timeout; each one checks only its own request and usage row.
  it.concurrent.for(CASES)("$name (stream: $stream)", async (c, { expect }) => {
    const { res, text, elapsed } = await run(f, c);
    const requestId = res.headers.get("x-request-id") as string;
    expect(requestId).toMatch(/^req_/);
    expect(elapsed).toBeLessThan(c.boundMs + SLACK_MS);
    const row = await g.usageRow(requestId);
    expect(row.stream).toBe(c.stream);

    if (c.outcome.kind === "status") {
      expect(res.status).toBe(c.outcome.status);
      const body = JSON.parse(text) as Envelope;
      expect(body.error.code).toBe(c.outcome.code);
      expect(body.request_id).toBe(requestId);
      // An HTML page or a 512 KB event never ends up in the message whole.
      expect(body.error.message).not.toContain("<html");
      expect(body.error.message.length).toBeLessThan(600);
      if (c.message) expect(body.error.message).toMatch(c.message);
      expect(row).toMatchObject({ status: c.outcome.status, errorCode: c.outcome.code, completionTokens: 0 });
      return;
    }
    expect(res.status).toBe(200);
    if (c.outcome.kind === "ok") {
      if (c.stream) expect((await events(text)).at(-1)).toBe("[DONE]");
      else expect((JSON.parse(text) as { choices: unknown[] }).choices).toHaveLength(1);
      expect(row).toMatchObject({ status: 200, errorCode: null });
      expect(row.completionTokens).toBeGreaterThan(0);
      return;
    }
    const all = await events(text);
    expect(all.at(-1)).toBe("[DONE]");
    const frame = all.at(-2) as Envelope;
    expect(frame.error.code).toBe(c.outcome.code);
    expect(frame.request_id).toBe(requestId);
    if (c.message) expect(frame.error.message).toMatch(c.message);
    const delivered = all
      .slice(0, -2)
      .map((e) => (e as { choices: { delta: { content?: string } }[] }).choices[0]?.delta.content ?? "")
      .join("");
    expect(delivered).toMatch(/w1/);
    // Usage counts what reached the client, even though the stream failed.
    expect(row).toMatchObject({ status: 200, errorCode: c.outcome.code });
    expect(row.completionTokens).toBeGreaterThan(0);
    expect(row.promptTokens).toBeGreaterThan(0);
  });
});
