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
  let cutting = false;
  let cuttingRequest = false;
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
    client.on("data", (chunk) => {
      if (cuttingRequest) {
        cuttingRequest = false;
        drop();
        return;
      }
      upstream.write(chunk);
    });
    upstream.on("data", (chunk) => {
      if (cutting) {
        cutting = false;
        drop();
        return;
      }
      client.write(chunk);
    });
    client.on("close", drop);
    upstream.on("close", drop);
    client.on("error", drop);
    upstream.on("error", drop);
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
      cuttingRequest = true;
    },
    cutNextReply() {
      cutting = true;
    },
    close: () =>
      new Promise<void>((resolve) => {
        dropAll();
        server.close(() => resolve());
      }),
  };
}
