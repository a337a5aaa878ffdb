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

/**
 * Loopback, private, link-local (cloud metadata at 169.254.169.254 included), CGNAT, benchmarking,
 * documentation, multicast and reserved ranges: the gateway's own network, never a public image host.
 */
const PRIVATE = new BlockList();
for (const [net, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.0.2.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
] as const) {
  PRIVATE.addSubnet(net, prefix, "ipv4");
}
// IPv6 forms that can carry an IPv4 address (IPv4-compatible, NAT64, 6to4) are refused whole: they
// could reach 127.0.0.1 or the metadata service through a translator.
for (const [net, prefix] of [
  ["::", 96],
  ["64:ff9b::", 96],
  ["64:ff9b:1::", 48],
  ["100::", 64],
  ["2001:db8::", 32],
  ["2002::", 16],
  ["fc00::", 7],
  ["fe80::", 10],
  ["fec0::", 10],
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

/** Addresses an operator exempts from the private-range check (MESHAPI_REMOTE_IMAGES_ALLOW, CIDRs). */
export function allowList(cidrs: readonly string[]): BlockList {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [net = "", bits] = cidr.split("/");
    const family = isIP(net);
    if (family === 0) throw new Error(`"${cidr}" is not an IP address or CIDR range`);
    const type = family === 6 ? "ipv6" : "ipv4";
    list.addSubnet(net, bits === undefined ? (family === 6 ? 128 : 32) : Number(bits), type);
  }
  return list;
}

function refusedAddress(address: string, allow: BlockList): boolean {
  if (!isPrivateAddress(address)) return false;
  const family = isIP(address);
  return family === 0 || !allow.check(address, family === 6 ? "ipv6" : "ipv4");
}

/**
 * Resolves like `dns.lookup` but fails when any address is private (and not allowed), at connect
 * time, so a DNS answer cannot change between a check and the connection (rebinding).
 */
const publicOnlyLookup =
  (allow: BlockList): LookupFunction =>
  (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, "", 4);
      const blocked = addresses.find((a) => refusedAddress(a.address, allow));
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
  private readonly agents = new Map<string, Agent>();
  private readonly allowLists = new Map<string, BlockList>();

  /**
   * `allow` lists CIDR ranges a "public" policy may still reach (an internal image store); every
   * redirect hop is checked again, by literal address and by what its name resolves to.
   */
  async fetch(
    url: string,
    policy: RemoteImagePolicy,
    signal: AbortSignal,
    loc: Loc,
    allow: readonly string[] = [],
  ): Promise<DataUrl> {
    const refuse = (msg: string) => untranslatable(VENDOR, loc, "unsupported_content", msg);
    if (policy === "off")
      throw refuse("this gateway does not download image URLs (MESHAPI_REMOTE_IMAGES=off); send a data URL");
    let current = url;
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      const target = this.checkUrl(current, policy, allow, refuse);
      let res: Awaited<ReturnType<typeof request>>;
      try {
        res = await request(target, {
          method: "GET",
          headers: { accept: "image/*" },
          dispatcher: this.agentFor(policy, allow),
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

  private checkUrl(
    raw: string,
    policy: RemoteImagePolicy,
    allow: readonly string[],
    refuse: (msg: string) => Error,
  ): string {
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
    if (policy === "public" && isIP(host) !== 0 && refusedAddress(host, this.allowListOf(allow))) {
      throw refuse("the image URL points at a non-public address");
    }
    return parsed.href;
  }

  private allowListOf(allow: readonly string[]): BlockList {
    const key = allow.join(",");
    let list = this.allowLists.get(key);
    if (!list) {
      list = allowList(allow);
      this.allowLists.set(key, list);
    }
    return list;
  }

  private agentFor(policy: RemoteImagePolicy, allow: readonly string[]): Agent {
    const key = `${policy}|${allow.join(",")}`;
    let agent = this.agents.get(key);
    if (!agent) {
      const lookup = publicOnlyLookup(this.allowListOf(allow));
      agent = new Agent({
        connect: { timeout: TIMEOUT_MS, ...(policy === "public" ? { lookup } : {}) },
        keepAliveTimeout: 1_000,
      });
      this.agents.set(key, agent);
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
