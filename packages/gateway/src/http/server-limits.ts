import type { Server } from "node:http";
import type { Socket } from "node:net";
import { ConfigError } from "../config/config.js";

/**
 * The limits that bound what a client can hold on the gateway before it has sent a request: a
 * slowloris trickling its headers, thousands of idle sockets, huge header blocks. Node's defaults
 * are loose (headers may take a minute, Fastify turns the whole-request timeout off), so the gateway
 * sets its own.
 */
export interface ServerLimits {
  /** From accepting the connection (or the end of the previous request) to the end of the headers. */
  headersTimeoutMs: number;
  /** From the first byte to the end of the request body; 0 turns it off. Responses are not bounded by it. */
  requestTimeoutMs: number;
  /** How long a keep-alive connection may sit idle between requests. */
  keepAliveTimeoutMs: number;
  /** Largest header block in bytes (request line included); 431 above. */
  maxHeaderBytes: number;
  /** Most header fields in one request; 431 above. */
  maxHeadersCount: number;
  /** Open connections beyond this are closed on accept; 0 means no limit. */
  maxConnections: number;
}

export const SERVER_LIMIT_DEFAULTS: ServerLimits = {
  headersTimeoutMs: 15_000,
  requestTimeoutMs: 120_000,
  keepAliveTimeoutMs: 72_000,
  maxHeaderBytes: 32 * 1024,
  maxHeadersCount: 200,
  maxConnections: 0,
};

const ENV: Readonly<Record<keyof ServerLimits, string>> = {
  headersTimeoutMs: "MESHAPI_HEADERS_TIMEOUT_MS",
  requestTimeoutMs: "MESHAPI_REQUEST_TIMEOUT_MS",
  keepAliveTimeoutMs: "MESHAPI_KEEP_ALIVE_TIMEOUT_MS",
  maxHeaderBytes: "MESHAPI_MAX_HEADER_BYTES",
  maxHeadersCount: "MESHAPI_MAX_HEADERS_COUNT",
  maxConnections: "MESHAPI_MAX_CONNECTIONS",
};

/** Reads the MESHAPI_* server limits; a value that would disable a protection by accident is an error. */
export function loadServerLimits(env: NodeJS.ProcessEnv): ServerLimits {
  const limits = { ...SERVER_LIMIT_DEFAULTS };
  for (const field of Object.keys(ENV) as (keyof ServerLimits)[]) {
    const name = ENV[field];
    const raw = env[name];
    if (raw === undefined || raw === "") continue;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 0)
      throw new ConfigError(`${name} must be a non-negative integer, got "${raw}"`);
    limits[field] = n;
  }
  for (const field of [
    "headersTimeoutMs",
    "keepAliveTimeoutMs",
    "maxHeaderBytes",
    "maxHeadersCount",
  ] as const) {
    if (limits[field] === 0) throw new ConfigError(`${ENV[field]} must be positive`);
  }
  if (limits.requestTimeoutMs > 0 && limits.headersTimeoutMs > limits.requestTimeoutMs) {
    throw new ConfigError("MESHAPI_HEADERS_TIMEOUT_MS must not exceed MESHAPI_REQUEST_TIMEOUT_MS");
  }
  return limits;
}

/** The part of Fastify's options that carries the limits into `http.createServer`. */
export function fastifyServerOptions(limits: ServerLimits) {
  return {
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    http: {
      headersTimeout: limits.headersTimeoutMs,
      maxHeaderSize: limits.maxHeaderBytes,
      // Node sweeps expired connections on this interval (default 30 s); a short headers timeout needs
      // a sweep at least as often, or a slowloris outlives it by up to the interval.
      connectionsCheckingInterval: Math.max(250, Math.min(5_000, Math.floor(limits.headersTimeoutMs / 4))),
    },
  };
}

/** Limits Node exposes only as properties of the created server. */
export function applyServerLimits(server: Server, limits: ServerLimits): void {
  // Node parses at most this many fields and drops the rest silently; the onRequest hook turns a
  // request that reached it into a 431 (see headersOverflow).
  server.maxHeadersCount = limits.maxHeadersCount;
  if (limits.maxConnections > 0) server.maxConnections = limits.maxConnections;
  // Node's headers timeout starts at a request's first byte, so a socket that never sends one would
  // stay open forever (thousands of them exhaust descriptors). Give it the same time to say something.
  server.on("connection", (socket: Socket) => {
    const timer = setTimeout(() => {
      if (socket.bytesRead === 0) socket.destroy();
    }, limits.headersTimeoutMs);
    timer.unref();
    socket.once("close", () => clearTimeout(timer));
  });
}

/** True when Node stopped counting header fields at the limit, i.e. the client sent at least that many. */
export function headersOverflow(rawHeaders: readonly string[], limits: ServerLimits): boolean {
  return rawHeaders.length / 2 >= limits.maxHeadersCount;
}
