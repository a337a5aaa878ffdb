import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type Simulator, startSimulator } from "@meshapi/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isPrivateAddress, RemoteImageFetcher } from "../../src/providers/gemini/remote-image.js";
import { ask, type Harness, startHarness } from "../helpers/harness.js";
import { rejected } from "../providers/unit/thrown.js";

interface Answer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

/** A loopback HTTP server whose handler sees every request; `hits` counts them by path. */
async function startServer(
  handler: (path: string, port: number) => Answer,
): Promise<{ url: string; port: number; hits: string[]; close: () => Promise<void> }> {
  const hits: string[] = [];
  let port = 0;
  const server: Server = createServer((req, res) => {
    hits.push(req.url ?? "");
    const out = handler(req.url ?? "", port);
    res.writeHead(out.status, out.headers ?? {});
    res.end(out.body ?? "");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    hits,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const GIF = "GIF89a";

describe("SSRF: address ranges", () => {
  it.each([
    "169.254.169.254",
    "100.100.100.200",
    "198.18.0.1",
    "::ffff:7f00:1",
    "::7f00:1",
    "64:ff9b::7f00:1",
    "64:ff9b::a9fe:a9fe",
    "2002:7f00:1::1",
    "fec0::1",
    "fd12:3456::1",
  ])("%s is refused", (address) => {
    expect(isPrivateAddress(address)).toBe(true);
  });
});

// The images are served from loopback, so the fetcher is told to allow exactly 127.0.0.1: everything
// else private stays refused, which lets each redirect hop's re-check show.
describe("SSRF: image URLs, every redirect hop re-checked", () => {
  const fetcher = new RemoteImageFetcher();
  const allow = ["127.0.0.1/32"];
  const loc = ["messages", 0, "content", 0, "image_url", "url"];
  const signal = new AbortController().signal;
  let images: Awaited<ReturnType<typeof startServer>>;
  const redirects: Record<string, (port: number) => string> = {
    "/to-metadata": () => "http://169.254.169.254/latest/meta-data/",
    "/to-loopback-2": (port) => `http://127.0.0.2:${port}/ok.gif`,
    "/to-ipv6-loopback": (port) => `http://[::1]:${port}/ok.gif`,
    "/to-mapped": (port) => `http://[::ffff:127.0.0.2]:${port}/ok.gif`,
    "/to-decimal": (port) => `http://2130706434:${port}/ok.gif`,
    "/to-private": () => "http://10.0.0.1/ok.gif",
    "/to-ok": () => "/ok.gif",
  };
  beforeAll(async () => {
    images = await startServer((path, port): Answer => {
      if (path === "/ok.gif") return { status: 200, headers: { "content-type": "image/gif" }, body: GIF };
      const to = redirects[path];
      return to ? { status: 302, headers: { location: to(port) } } : { status: 404 };
    });
  });
  afterAll(async () => {
    await fetcher.close();
    await images.close();
  });

  it("the allowed address itself, and a redirect that stays on it, download", async () => {
    const direct = await fetcher.fetch(`${images.url}/ok.gif`, "public", signal, loc, allow);
    expect(Buffer.from(direct.data, "base64").toString()).toBe(GIF);
    const moved = await fetcher.fetch(`${images.url}/to-ok`, "public", signal, loc, allow);
    expect(moved.mimeType).toBe("image/gif");
  });

  it.each(Object.keys(redirects).filter((p) => p !== "/to-ok"))(
    "a redirect %s to a non-public address is refused (422), never fetched",
    async (path) => {
      images.hits.length = 0;
      const err = await rejected(fetcher.fetch(`${images.url}${path}`, "public", signal, loc, allow));
      expect(err.status).toBe(422);
      expect(err.message).toContain("non-public address");
      expect(images.hits).toEqual([path]);
    },
  );

  it("without the allowance, loopback itself is refused before any connection", async () => {
    images.hits.length = 0;
    const err = await rejected(fetcher.fetch(`${images.url}/ok.gif`, "public", signal, loc));
    expect(err.message).toContain("non-public address");
    expect(images.hits).toEqual([]);
  });
});

describe("SSRF: through the gateway", () => {
  let sim: Simulator;
  let h: Harness;
  let images: Awaited<ReturnType<typeof startServer>>;
  let trap: Awaited<ReturnType<typeof startServer>>;
  let upstream: Awaited<ReturnType<typeof startServer>>;
  beforeAll(async () => {
    sim = await startSimulator();
    images = await startServer(() => ({
      status: 302,
      headers: { location: "http://169.254.169.254/latest/meta-data/iam/" },
    }));
    // An "internal service" a hostile or compromised provider would like the gateway to call.
    trap = await startServer(() => ({
      status: 200,
      headers: { "content-type": "application/json" },
      body: "{}",
    }));
    upstream = await startServer((path) => ({ status: 307, headers: { location: `${trap.url}${path}` } }));
    h = await startHarness({
      sim,
      env: {
        GEMINI_API_KEY: "sim-gemini-key",
        GEMINI_BASE_URL: sim.url,
        MESHAPI_REMOTE_IMAGES_ALLOW: "127.0.0.1/32",
        GROQ_API_KEY: "groq-key",
        GROQ_BASE_URL: `${upstream.url}/v1`,
      },
    });
  });
  afterAll(async () => {
    await h.close();
    await sim.close();
    await Promise.all([images.close(), trap.close(), upstream.close()]);
  });

  it("a Gemini image URL redirecting to the metadata service → 422, the model is never called", async () => {
    sim.reset();
    const res = await h.chat({
      model: "google/gemini-2.5-flash",
      messages: [
        { role: "user", content: [{ type: "image_url", image_url: { url: `${images.url}/cat.png` } }] },
      ],
    });
    expect(res.status).toBe(422);
    const body = (await res.json()) as { error: { message: string; param: string } };
    expect(body.error.message).toContain("non-public address");
    expect(body.error.param).toBe("messages.0.content.0.image_url.url");
    expect(images.hits).toEqual(["/cat.png"]);
    expect(sim.requests()).toHaveLength(0);
  });

  it.each([false, true])("a provider answering 3xx is not followed: 502 (stream %s)", async (stream) => {
    const res = await h.chat(ask("hi", { model: "groq/llama-3.3-70b-versatile", stream }));
    expect(res.status).toBe(502);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("upstream_error");
    expect(upstream.hits.length).toBeGreaterThan(0);
    expect(trap.hits).toEqual([]);
  });
});
