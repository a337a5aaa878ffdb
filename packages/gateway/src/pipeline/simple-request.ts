import type { ChatRequest } from "./chat-request.js";

/**
 * A shortcut past the zod schema for the body most clients send: text messages plus a few scalar
 * parameters. Whatever it accepts, the schema accepts too and returns unchanged (the unit test checks
 * that against the schema on thousands of generated bodies); anything it is unsure of — tools, content
 * parts, templates, unknown fields — goes to the schema, which also writes the error details. The schema
 * was about a tenth of the gateway's instructions per request (docs/architecture.md).
 */
export function simpleChatRequest(body: Record<string, unknown>): ChatRequest | undefined {
  let sawMessages = false;
  for (const field in body) {
    const value = body[field];
    const check = FIELD_CHECKS[field];
    if (check !== undefined) {
      if (!check(value)) return undefined;
    } else if (field === "messages") {
      if (!simpleMessages(value)) return undefined;
      sawMessages = true;
    } else {
      return undefined;
    }
  }
  return sawMessages ? (body as ChatRequest) : undefined;
}

type Check = (value: unknown) => boolean;

const MODEL = /^[a-z0-9][a-z0-9_-]*\/\S+$/;
const isBoolean: Check = (v) => typeof v === "boolean";
const inRange =
  (min: number, max: number, int: boolean): Check =>
  (v) =>
    v === null ||
    (typeof v === "number" && (int ? Number.isSafeInteger(v) : Number.isFinite(v)) && v >= min && v <= max);

/** Top-level fields the shortcut knows, each with the schema's rule for it. */
const FIELD_CHECKS: Record<string, Check | undefined> = Object.assign(Object.create(null), {
  model: (v: unknown) => typeof v === "string" && MODEL.test(v),
  max_tokens: inRange(1, Number.MAX_SAFE_INTEGER, true),
  max_completion_tokens: inRange(1, Number.MAX_SAFE_INTEGER, true),
  temperature: inRange(0, 2, false),
  top_p: inRange(0, 1, false),
  n: inRange(1, 128, true),
  seed: inRange(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, true),
  frequency_penalty: inRange(-2, 2, false),
  presence_penalty: inRange(-2, 2, false),
  top_logprobs: inRange(0, 20, true),
  logprobs: (v: unknown) => v === null || isBoolean(v),
  stream: (v: unknown) => v === null || isBoolean(v),
  parallel_tool_calls: isBoolean,
  user: (v: unknown) => typeof v === "string",
  session_id: (v: unknown) => typeof v === "string" && v.length >= 1 && v.length <= 256,
});

const TEXT_ROLES = new Set(["system", "developer", "user", "assistant"]);

/** A non-empty array of `{role, content: string, name?: string}` with a role that takes plain text. */
function simpleMessages(value: unknown): boolean {
  if (!Array.isArray(value) || value.length === 0) return false;
  for (const message of value) {
    if (message === null || typeof message !== "object" || Array.isArray(message)) return false;
    let sawRole = false;
    let sawContent = false;
    for (const field in message) {
      const v = (message as Record<string, unknown>)[field];
      if (field === "role") {
        if (typeof v !== "string" || !TEXT_ROLES.has(v)) return false;
        sawRole = true;
      } else if (field === "content") {
        if (typeof v !== "string") return false;
        sawContent = true;
      } else if (field === "name") {
        if (typeof v !== "string") return false;
      } else {
        return false;
      }
    }
    if (!sawRole || !sawContent) return false;
  }
  return true;
}
