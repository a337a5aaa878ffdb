import { randomFillSync } from "node:crypto";

const CROCKFORD = Buffer.from("0123456789ABCDEFGHJKMNPQRSTVWXYZ", "latin1");
/** Random bytes are drawn in bulk: one syscall per 512 ids instead of sixteen calls per id. */
const pool = Buffer.alloc(8192);
let offset = pool.length;
/** The id is spelled into these bytes and read out as one string (see newRequestId). */
const spelled = Buffer.from("req_00000000000000000000000000", "latin1");

/**
 * `req_<ULID>`: 48 bits of time and 80 random bits, Crockford base32 — sortable by time and unique
 * across processes. Request ids are not secrets, so a pooled random buffer is fine here (API keys
 * use the ulid package's per-call cryptographic randomness). Spelled into a buffer and read out once,
 * the id is one flat string; built by concatenation it was a tree of a dozen string pieces, which every
 * usage event kept alive until its batch was written.
 */
export function newRequestId(): string {
  if (offset + 16 > pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  let ms = Date.now();
  for (let i = 13; i >= 4; i--) {
    spelled[i] = CROCKFORD[ms % 32] as number;
    ms = Math.floor(ms / 32);
  }
  for (let i = 0; i < 16; i++) spelled[14 + i] = CROCKFORD[(pool[offset + i] as number) & 31] as number;
  offset += 16;
  return spelled.toString("latin1", 0, 30);
}

/**
 * An inbound `x-request-id` is kept only as a correlation value in logs, and only when it is short and
 * plain; the gateway always answers with its own id so clients can quote one format to support.
 */
export function safeClientRequestId(value: unknown): string | undefined {
  return typeof value === "string" && /^[A-Za-z0-9._:-]{1,128}$/.test(value) ? value : undefined;
}
