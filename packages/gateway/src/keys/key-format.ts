import { createHash, timingSafeEqual } from "node:crypto";
import { ulid } from "ulid";

/** `rsk_` + a ULID (48-bit time, 80 bits from the platform's cryptographic random source). */
const KEY_PATTERN = /^rsk_[0-9A-HJKMNP-TV-Z]{26}$/;
const DISPLAY_PREFIX_LENGTH = 12;

export interface NewKeyMaterial {
  /** The secret, shown to its owner once and never stored. */
  key: string;
  hash: string;
  displayPrefix: string;
}

export function generateKey(): NewKeyMaterial {
  const key = `rsk_${ulid()}`;
  return { key, hash: hashKey(key), displayPrefix: key.slice(0, DISPLAY_PREFIX_LENGTH) };
}

/** Keys carry 80 random bits, so an unsalted SHA-256 is enough to make the stored form useless. */
export function hashKey(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}

export function looksLikeKey(candidate: string): boolean {
  return KEY_PATTERN.test(candidate);
}

export function hashesEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, "hex");
  const right = Buffer.from(b, "hex");
  return left.length === right.length && timingSafeEqual(left, right);
}

export function newKeyId(): string {
  return `key_${ulid()}`;
}
