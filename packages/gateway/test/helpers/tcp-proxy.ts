import { createConnection, createServer, type Socket } from "node:net";

/**
 * A TCP proxy on loopback in front of a real server (Redis), to cut the connection the ways an outage
 * does: refusing it for a while (`down` / `up`); dropping it with a request on its way, which the
 * server never sees (`cutNextRequest`); or dropping it right after the server answered a request, so
 * that the server has run it but the client never hears back (`cutNextReply`).
 */
export interface TcpProxy {
  port: number;
  /** Drops every connection and, until `up`, closes new ones as soon as they open. */
  down(): void;
  up(): void;
  /** The next request from the client is not passed on: its connection is dropped instead. */
  cutNextRequest(): void;
  /** The next answer from the server is not passed on: its connection is dropped instead. */
  cutNextReply(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const open = new Set<Socket>();
  let refusing = false;
  /** Whether the next chunk each way is to be dropped with its connection instead of passed on. */
  const cut = { request: false, reply: false };
  const server = createServer((client) => {
    if (refusing) {
      client.destroy();
      return;
    }
    const upstream = createConnection(target);
    open.add(client);
    open.add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    const forward = (from: Socket, to: Socket, way: keyof typeof cut) =>
      from.on("data", (chunk) => {
        if (!cut[way]) to.write(chunk);
        else {
          cut[way] = false;
          drop();
        }
      });
    forward(client, upstream, "request");
    forward(upstream, client, "reply");
    for (const socket of [client, upstream]) socket.on("close", drop).on("error", drop);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("proxy has no port");
  const dropAll = () => {
    for (const socket of open) socket.destroy();
    open.clear();
  };
  return {
    port: address.port,
    down() {
      refusing = true;
      dropAll();
    },
    up() {
      refusing = false;
    },
    cutNextRequest() {
      cut.request = true;
    },
    cutNextReply() {
      cut.reply = true;
    },
    close: () =>
      new Promise<void>((resolve) => {
        dropAll();
        server.close(() => resolve());
      }),
  };
}
