import { randomFillSync } from "node:crypto";

const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/** Random bytes are drawn in bulk: one syscall per 512 ids instead of sixteen calls per id. */
const pool = Buffer.alloc(8192);
let offset = pool.length;

function encodeTime(ms: number): string {
  let out = "";
  for (let i = 0; i < 10; i++) {
    out = CROCKFORD[ms % 32] + out;
    ms = Math.floor(ms / 32);
  }
  return out;
}

/**
 * `req_<ULID>`: 48 bits of time and 80 random bits, Crockford base32 — sortable by time and unique
 * across processes. Request ids are not secrets, so a pooled random buffer is fine here (API keys
 * use the ulid package's per-call cryptographic randomness).
 */
export function newRequestId(): string {
  if (offset + 16 > pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  let random = "";
  for (let i = 0; i < 16; i++) random += CROCKFORD[(pool[offset + i] as number) & 31];
  offset += 16;
  return `req_${encodeTime(Date.now())}${random}`;
}

/**
 * An inbound `x-request-id` is kept only as a correlation value in logs, and only when it is short and
 * plain; the gateway always answers with its own id so clients can quote one format to support.
 */
export function safeClientRequestId(value: unknown): string | undefined {
  return typeof value === "string" && /^[A-Za-z0-9._:-]{1,128}$/.test(value) ? value : undefined;
}
