import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { BlockList, isIP, type LookupFunction } from "node:net";
import { Agent, request } from "undici";
import type { RemoteImagePolicy } from "../../config/config.js";
import type { DataUrl } from "../translate/data-url.js";
import { type Loc, untranslatable } from "../translate/invalid.js";

/** Gemini's whole request may be 20 MB of inline data; one image may not be more. */
export const MAX_IMAGE_BYTES = 20 * 1024 * 1024;
const TIMEOUT_MS = 10_000;
const MAX_REDIRECTS = 3;
const VENDOR = "Gemini";

/** Loopback, private, link-local, CGNAT, multicast and reserved ranges: the gateway's own network. */
const PRIVATE = new BlockList();
for (const [net, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.168.0.0", 16],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
] as const) {
  PRIVATE.addSubnet(net, prefix, "ipv4");
}
for (const [net, prefix] of [
  ["::", 128],
  ["::1", 128],
  ["fc00::", 7],
  ["fe80::", 10],
  ["ff00::", 8],
] as const) {
  PRIVATE.addSubnet(net, prefix, "ipv6");
}

/** True for addresses a public-only download must not reach (IPv4-mapped IPv6 included). */
export function isPrivateAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return PRIVATE.check(mapped[1] as string, "ipv4");
  const family = isIP(address);
  if (family === 0) return true;
  return PRIVATE.check(address, family === 6 ? "ipv6" : "ipv4");
}

/**
 * Resolves like `dns.lookup` but fails when any address is private, at connect time, so a DNS answer
 * cannot change between a check and the connection (rebinding).
 */
const publicOnlyLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
    if (err) return callback(err, "", 4);
    const blocked = addresses.find((a) => isPrivateAddress(a.address));
    if (blocked || addresses.length === 0) {
      const refused = Object.assign(new Error(`${hostname} resolves to a non-public address`), {
        code: "ENOTPUBLIC",
      });
      return callback(refused, "", 4);
    }
    if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
    const first = addresses[0] as LookupAddress;
    callback(null, first.address, first.family);
  });
};

/**
 * Downloads image URLs for Gemini, which takes images only inline (or as Files API URIs): at most
 * MAX_IMAGE_BYTES, image content types only, a few redirects, a short timeout, and — unless the
 * policy is "any" — public addresses only, so a client cannot make the gateway read internal services.
 */
export class RemoteImageFetcher {
  private readonly agents = new Map<RemoteImagePolicy, Agent>();

  async fetch(url: string, policy: RemoteImagePolicy, signal: AbortSignal, loc: Loc): Promise<DataUrl> {
    const refuse = (msg: string) => untranslatable(VENDOR, loc, "unsupported_content", msg);
    if (policy === "off")
      throw refuse("this gateway does not download image URLs (MESHAPI_REMOTE_IMAGES=off); send a data URL");
    let current = url;
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      const target = this.checkUrl(current, policy, refuse);
      let res: Awaited<ReturnType<typeof request>>;
      try {
        res = await request(target, {
          method: "GET",
          headers: { accept: "image/*" },
          dispatcher: this.agentFor(policy),
          signal: AbortSignal.any([signal, AbortSignal.timeout(TIMEOUT_MS)]),
          headersTimeout: TIMEOUT_MS,
          bodyTimeout: TIMEOUT_MS,
          reset: true,
        });
      } catch (err) {
        if (signal.aborted) throw err;
        const code = (err as { code?: string }).code ?? (err as { cause?: { code?: string } }).cause?.code;
        if (code === "ENOTPUBLIC") throw refuse("the image URL points at a non-public address");
        throw refuse(`could not download the image${code ? ` (${code})` : ""}`);
      }
      const location = res.headers.location;
      if (res.statusCode >= 300 && res.statusCode < 400 && typeof location === "string") {
        await res.body.dump().catch(() => {});
        current = new URL(location, target).href;
        continue;
      }
      if (res.statusCode !== 200) {
        await res.body.dump().catch(() => {});
        throw refuse(`downloading the image failed with HTTP ${res.statusCode}`);
      }
      const mimeType =
        String(res.headers["content-type"] ?? "")
          .split(";")[0]
          ?.trim()
          .toLowerCase() ?? "";
      if (!mimeType.startsWith("image/")) {
        discard(res.body);
        throw refuse(`the URL is not an image (content-type "${mimeType || "none"}")`);
      }
      return { mimeType, data: (await readCapped(res.body, refuse)).toString("base64") };
    }
    throw refuse(`more than ${MAX_REDIRECTS} redirects`);
  }

  async close(): Promise<void> {
    await Promise.all([...this.agents.values()].map((a) => a.close()));
    this.agents.clear();
  }

  private checkUrl(raw: string, policy: RemoteImagePolicy, refuse: (msg: string) => Error): string {
    let parsed: URL;
    try {
      parsed = new URL(raw);
    } catch {
      throw refuse("not a valid URL");
    }
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:")
      throw refuse("image URLs must be http(s) or data URLs");
    const host = parsed.hostname.replace(/^\[|\]$/g, "");
    // Literal addresses never reach the lookup hook, so they are checked here.
    if (policy === "public" && isIP(host) !== 0 && isPrivateAddress(host)) {
      throw refuse("the image URL points at a non-public address");
    }
    return parsed.href;
  }

  private agentFor(policy: RemoteImagePolicy): Agent {
    let agent = this.agents.get(policy);
    if (!agent) {
      agent = new Agent({
        connect: { timeout: TIMEOUT_MS, ...(policy === "public" ? { lookup: publicOnlyLookup } : {}) },
        keepAliveTimeout: 1_000,
      });
      this.agents.set(policy, agent);
    }
    return agent;
  }
}

/** Drops a body we will not read; undici reports the abort as an error event nobody else listens to. */
function discard(body: { on(event: "error", listener: () => void): unknown; destroy(): void }): void {
  body.on("error", () => {});
  body.destroy();
}

async function readCapped(
  body: AsyncIterable<Buffer> & { on(event: "error", listener: () => void): unknown; destroy(): void },
  refuse: (msg: string) => Error,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > MAX_IMAGE_BYTES) {
      discard(body);
      throw refuse(`the image is larger than ${MAX_IMAGE_BYTES / (1024 * 1024)} MB`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
