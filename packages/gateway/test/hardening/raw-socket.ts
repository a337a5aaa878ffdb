import { connect, type Socket } from "node:net";

export interface RawResult {
  /** Everything the server sent, as latin1 text. */
  text: string;
  /** True when the server closed (or reset) the connection before `waitMs` ran out. */
  closed: boolean;
  /** The status codes of every response in `text`, in order. */
  statuses: number[];
}

/** Opens a TCP connection to a `http://host:port` URL. */
export function openSocket(url: string): Promise<Socket> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) }, () => resolve(socket));
    socket.once("error", reject);
  });
}

/**
 * Sends raw bytes (all at once, or `head` at once then one byte every `trickleMs`) and collects the answer until the server
 * closes the connection or `waitMs` passes. Used for what `fetch` cannot send: malformed framing,
 * slowloris, oversized header blocks.
 */
export async function rawExchange(
  url: string,
  bytes: string,
  options: { waitMs?: number; trickleMs?: number; head?: string } = {},
): Promise<RawResult> {
  const socket = await openSocket(url);
  const waitMs = options.waitMs ?? 3_000;
  let text = "";
  socket.setEncoding("latin1");
  socket.on("data", (d: string) => {
    text += d;
  });
  socket.on("error", () => {});
  const closed = new Promise<boolean>((resolve) => {
    socket.once("close", () => resolve(true));
    setTimeout(() => resolve(false), waitMs).unref();
  });
  let trickle: NodeJS.Timeout | undefined;
  if (options.head) socket.write(options.head, "latin1");
  if (options.trickleMs) {
    let i = 0;
    trickle = setInterval(() => {
      if (socket.destroyed || !socket.writable) return clearInterval(trickle);
      // Past the end, keep trickling harmless header bytes: a slowloris never finishes.
      socket.write(i < bytes.length ? (bytes[i] as string) : "a", "latin1");
      i++;
    }, options.trickleMs);
  } else {
    socket.write(bytes, "latin1");
  }
  const wasClosed = await closed;
  clearInterval(trickle);
  socket.destroy();
  return { text, closed: wasClosed, statuses: statusesOf(text) };
}

export function statusesOf(text: string): number[] {
  return [...text.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => Number(m[1]));
}

/** The JSON body of the first response in a raw answer. */
export function firstBody(text: string): { error?: { code?: string }; request_id?: string } {
  const start = text.indexOf("\r\n\r\n");
  const body = text.slice(start + 4);
  const end = body.indexOf("HTTP/1.1 ");
  return JSON.parse(end === -1 ? body : body.slice(0, end));
}
