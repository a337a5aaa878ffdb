import { randomBytes } from "node:crypto";
import { randomToolCallId } from "../translate/chunks.js";

/**
 * What a Gemini function call needs back on the next turn, carried in the OpenAI tool-call id because
 * OpenAI clients replay ids and nothing else: the call's own `id` (Gemini sends one only sometimes, and
 * wants it echoed only then) and its `thoughtSignature` (Gemini 3 refuses a replayed call without it).
 */
export interface GeminiCallMemo {
  geminiId?: string;
  signature?: string;
}

/** `call_gm1_` + base64url(JSON): self-contained, so any gateway instance can decode it, no store needed. */
const PREFIX = "call_gm1_";
/** Ids over this length keep their signature in process memory instead (`call_gmr_<key>`). */
export const MAX_ENCODED_ID_LENGTH = 4096;
const REF_PREFIX = "call_gmr_";
const MAX_REMEMBERED = 10_000;

/**
 * Signatures too long to inline, newest last. Bounded; an id whose entry is gone (evicted, restarted,
 * another instance) decodes without a signature and the request falls back to Google's documented
 * `skip_thought_signature_validator`.
 */
const remembered = new Map<string, GeminiCallMemo>();

/**
 * The OpenAI id for a Gemini function call: a plain random `call_…` when there is nothing to carry,
 * else the memo encoded (or, past MAX_ENCODED_ID_LENGTH, referenced). Ids only use `[A-Za-z0-9_-]`,
 * so they also pass Anthropic's tool-id pattern should a conversation move there.
 *
 * @example encodeCallId({ signature: "c2ln" }) // → "call_gm1_eyJzIjoiYzJsbiJ9"
 */
export function encodeCallId(memo: GeminiCallMemo): string {
  if (memo.geminiId === undefined && memo.signature === undefined) return randomToolCallId();
  const compact: { i?: string; s?: string } = {};
  if (memo.geminiId !== undefined) compact.i = memo.geminiId;
  if (memo.signature !== undefined) compact.s = memo.signature;
  const id = PREFIX + Buffer.from(JSON.stringify(compact)).toString("base64url");
  if (id.length <= MAX_ENCODED_ID_LENGTH) return id;
  const key = randomBytes(12).toString("hex");
  remembered.set(key, { ...memo });
  if (remembered.size > MAX_REMEMBERED) remembered.delete(remembered.keys().next().value as string);
  return REF_PREFIX + key;
}

/** The memo inside an id made by `encodeCallId`; `{}` for any other id (another vendor's, a client's own). */
export function decodeCallId(id: string): GeminiCallMemo {
  if (id.startsWith(REF_PREFIX)) return { ...(remembered.get(id.slice(REF_PREFIX.length)) ?? {}) };
  if (!id.startsWith(PREFIX)) return {};
  try {
    const parsed: unknown = JSON.parse(Buffer.from(id.slice(PREFIX.length), "base64url").toString("utf8"));
    if (parsed === null || typeof parsed !== "object") return {};
    const { i, s } = parsed as { i?: unknown; s?: unknown };
    const memo: GeminiCallMemo = {};
    if (typeof i === "string") memo.geminiId = i;
    if (typeof s === "string") memo.signature = s;
    return memo;
  } catch {
    return {};
  }
}
