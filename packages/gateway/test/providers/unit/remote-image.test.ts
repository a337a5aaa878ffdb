import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  isPrivateAddress,
  MAX_IMAGE_BYTES,
  RemoteImageFetcher,
} from "../../../src/providers/gemini/remote-image.js";
import { rejected } from "./thrown.js";

describe("isPrivateAddress", () => {
  it.each([
    ["127.0.0.1", true],
    ["10.1.2.3", true],
    ["172.20.0.1", true],
    ["192.168.1.1", true],
    ["169.254.169.254", true],
    ["100.64.0.1", true],
    ["0.0.0.0", true],
    ["::1", true],
    ["fd00::1", true],
    ["fe80::1", true],
    ["::ffff:127.0.0.1", true],
    ["not-an-ip", true],
    ["8.8.8.8", false],
    ["172.32.0.1", false],
    ["2001:4860:4860::8888", false],
    ["::ffff:8.8.8.8", false],
  ])("%s → %s", (address, expected) => {
    expect(isPrivateAddress(address)).toBe(expected);
  });
});

describe("RemoteImageFetcher", () => {
  const fetcher = new RemoteImageFetcher();
  const loc = ["messages", 0, "content", 0, "image_url", "url"];
  const signal = new AbortController().signal;
  let server: Server;
  let base: string;

  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === "/loop") {
        res.writeHead(302, { location: "/loop" });
        res.end();
      } else if (req.url === "/big") {
        res.writeHead(200, { "content-type": "image/jpeg" });
        const chunk = Buffer.alloc(1024 * 1024);
        for (let i = 0; i <= MAX_IMAGE_BYTES / chunk.length; i++) res.write(chunk);
        res.end();
      } else if (req.url === "/ok.gif") {
        res.writeHead(200, { "content-type": "image/gif; charset=binary" });
        res.end("GIF89a");
      } else {
        res.writeHead(404);
        res.end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await fetcher.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it("downloads an image with policy any", async () => {
    expect(await fetcher.fetch(`${base}/ok.gif`, "any", signal, loc)).toEqual({
      mimeType: "image/gif",
      data: Buffer.from("GIF89a").toString("base64"),
    });
  });

  it("public policy: refuses literal private addresses and names that resolve to them", async () => {
    const literal = await rejected(fetcher.fetch(`${base}/ok.gif`, "public", signal, loc));
    expect(literal.message).toContain("non-public address");
    const port = new URL(base).port;
    const named = await rejected(fetcher.fetch(`http://localhost:${port}/ok.gif`, "public", signal, loc));
    expect(named.message).toContain("non-public address");
    expect(named.details?.[0]?.loc).toEqual(["body", ...loc]);
  });

  it.each([
    ["/missing", "HTTP 404"],
    ["/loop", "more than 3 redirects"],
    ["/big", "larger than 20 MB"],
  ])("%s → 422 (%s)", async (path, message) => {
    const err = await rejected(fetcher.fetch(`${base}${path}`, "any", signal, loc));
    expect(err.status).toBe(422);
    expect(err.message).toContain(message);
  });

  it("refuses other schemes, and everything when off", async () => {
    expect((await rejected(fetcher.fetch("file:///etc/passwd", "any", signal, loc))).message).toContain(
      "http(s)",
    );
    expect((await rejected(fetcher.fetch(`${base}/ok.gif`, "off", signal, loc))).message).toContain(
      "MESHAPI_REMOTE_IMAGES=off",
    );
  });

  it("a client that went away aborts the download instead of reporting a bad URL", async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(fetcher.fetch(`${base}/ok.gif`, "any", controller.signal, loc)).rejects.toMatchObject({
      name: "AbortError",
    });
  });
});
