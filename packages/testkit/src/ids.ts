/**
 * Cheap unique ids for response objects: a random per-process stem plus a counter, so the hot
 * path does no crypto work per request while ids still look like the vendors' (`chatcmpl-…`).
 */
import { randomBytes } from "node:crypto";

const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

function randomStem(length: number): string {
  const bytes = randomBytes(length);
  let out = "";
  for (const byte of bytes) out += ALPHABET[byte % ALPHABET.length];
  return out;
}

const stem = randomStem(12);
let counter = 0;

/** `prefix` + 24 url-safe characters, unique within the process. */
export function newId(prefix: string): string {
  counter += 1;
  return `${prefix}${stem}${counter.toString(36).padStart(12, "0")}`;
}

/** A base64 string standing in for an opaque signature (Gemini `thoughtSignature`). */
export function opaqueSignature(): string {
  return Buffer.from(`sim-signature:${newId("")}`).toString("base64");
}
