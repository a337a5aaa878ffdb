/** The guards an upstream's answer passes: the largest event, and error bodies that are not JSON. */
import { describe, expect, it } from "vitest";
import { GatewayError } from "../../src/errors/catalog.js";
import { sseEvents } from "../../src/providers/sse-events.js";
import { vendorMessage } from "../../src/providers/upstream-status.js";

async function* reads(...parts: string[]): AsyncGenerator<Uint8Array> {
  for (const part of parts) yield new TextEncoder().encode(part);
}

async function collect(body: AsyncIterable<Uint8Array>, max: number): Promise<string[]> {
  const out: string[] = [];
  for await (const e of sseEvents(body, max)) out.push(e.data);
  return out;
}

describe("sseEvents maxEventBytes", () => {
  it("passes any number of events that are each under the limit", async () => {
    const events = Array.from({ length: 50 }, (_, i) => `data: {"n":${i}}\n\n`);
    expect(await collect(reads(...events), 64)).toHaveLength(50);
  });

  it("fails an event that grows past the limit across small reads, before it ends", async () => {
    const body = reads('data: {"ok":1}\n\n', "data: ", ...("x".repeat(300).match(/.{1,20}/g) as string[]));
    const err = await collect(body, 128).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GatewayError);
    expect(err).toMatchObject({ code: "upstream_error", status: 502 });
    expect((err as Error).message).toContain("larger than 128 bytes");
  });
});

describe("vendorMessage of a text body", () => {
  it("names an HTML page by its title, never its markup", () => {
    const page =
      "<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head><body>…</body></html>";
    expect(vendorMessage(page)).toBe('an HTML page titled "503 Service Temporarily Unavailable"');
    expect(vendorMessage("<!DOCTYPE html><html><body>oops</body></html>")).toBe("an HTML page");
  });

  it("clips a long plain-text body", () => {
    const message = vendorMessage("x".repeat(5000)) as string;
    expect(message.length).toBeLessThanOrEqual(301);
    expect(message.endsWith("…")).toBe(true);
    expect(vendorMessage("upstream connect error")).toBe("upstream connect error");
  });
});
