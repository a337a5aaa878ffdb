import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ask, type Harness, startHarness } from "./helpers/harness.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

/** Waits until the simulator has the request, then aborts the client and measures how soon the upstream saw it. */
async function abortAndWatch(body: unknown, afterStart: (res: Promise<Response>) => Promise<void>) {
  h.sim.reset();
  const controller = new AbortController();
  const pending = h.chat(body, { signal: controller.signal });
  pending.catch(() => {});
  await afterStart(pending);
  const upstream = await h.sim.waitFor(() => true);
  const abortedAt = Date.now();
  controller.abort();
  const seen = await h.sim.waitFor((r) => r.id === upstream.id && r.aborted, 2_000);
  return { seen, abortedAt };
}

describe("client disconnects cancel the upstream call", () => {
  it("non-streaming: a hung upstream request is cancelled", async () => {
    const { seen } = await abortAndWatch(ask("x [[sim:hang]]"), async () => {
      await h.sim.waitFor(() => true);
    });
    expect(seen.aborted).toBe(true);
    expect(seen.finished).toBe(false);
  });

  it("streaming: a stream cancelled mid-way stops the upstream stream", async () => {
    const { seen } = await abortAndWatch(
      ask("[[sim:words=500,chunk_delay_ms=20]]", { stream: true }),
      async (pending) => {
        const res = await pending;
        const reader = (res.body as ReadableStream<Uint8Array>).getReader();
        await reader.read(); // at least one event arrived
      },
    );
    expect(seen.aborted).toBe(true);
  });

  it("records the cancelled request as a client_closed usage event", async () => {
    await h.gateway.usage.flush();
    const before = await h.gateway.store.countUsageEvents();
    await abortAndWatch(ask("x [[sim:hang]]"), async () => {
      await h.sim.waitFor(() => true);
    });
    await new Promise((r) => setTimeout(r, 50));
    await h.gateway.usage.flush();
    expect(await h.gateway.store.countUsageEvents()).toBe(before + 1);
  });
});
