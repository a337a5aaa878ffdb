/**
 * Deterministic embedding vectors for the simulators: the same text always gives the same unit
 * vector, different texts (almost always) different ones, so tests can check that inputs were not
 * mixed up or reordered on the way through a gateway.
 */
import { createHash } from "node:crypto";

/** A unit-length vector of `dims` floats derived from the text's SHA-256 (expanded by counter). */
export function embedText(text: string, dims: number): number[] {
  const values: number[] = new Array(dims);
  let block = Buffer.alloc(0);
  for (let i = 0; i < dims; i++) {
    const offset = (i * 2) % 32;
    if (offset === 0) block = createHash("sha256").update(`${i}:${text}`).digest();
    // Two bytes → a value in [-1, 1).
    values[i] = block.readUInt16BE(offset) / 32768 - 1;
  }
  const norm = Math.sqrt(values.reduce((s, v) => s + v * v, 0)) || 1;
  // Rounded to float32 so a base64 round trip gives back exactly these numbers.
  return values.map((v) => Math.fround(v / norm));
}

/** Little-endian float32 bytes as base64: OpenAI's `encoding_format: "base64"`. */
export function toBase64Floats(values: readonly number[]): string {
  return Buffer.from(new Float32Array(values).buffer).toString("base64");
}

/** Roughly what a BPE tokenizer counts: one token per ~4 characters, at least one per input. */
export function countTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}
