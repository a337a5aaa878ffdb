import { createHash } from "node:crypto";
import { stringify } from "safe-stable-stringify";
import type { ChatRequest } from "../pipeline/chat-request.js";

/**
 * Request fields that cannot change the answer, left out of the key: MeshAPI's own extensions (a
 * template and its variables are already rendered into `messages` by the time the key is made), the
 * end-user and metadata labels, and the stream flags, which the answer's shape below stands for.
 */
const IGNORED_FIELDS: ReadonlySet<string> = new Set([
  "model",
  "models",
  "template",
  "variables",
  "session_id",
  "transforms",
  "cache",
  "user",
  "metadata",
  "stream",
  "stream_options",
]);

/** How the answer is delivered; a JSON answer never replays as a stream, nor the other way round. */
export type AnswerShape = "json" | "stream" | "stream+usage";

export function answerShape(request: ChatRequest): AnswerShape {
  if (request.stream !== true) return "json";
  return request.stream_options?.include_usage === true ? "stream+usage" : "stream";
}

/**
 * The cache key of a rendered request: `<scope>:<sha256>` over the answer's shape, the models that may
 * answer (resolved `provider/model` names, fallbacks in order) and every other field in canonical JSON
 * (sorted object keys). Top-level nulls count as absent, as they do upstream. `scope` keeps one key's
 * entries from another's (see cacheScope).
 *
 * @example
 * cacheKey("k:key_01", ["openai/gpt-4o-mini"], { model: "openai/gpt-4o-mini", messages }) // "k:key_01:3f…"
 */
export function cacheKey(scope: string, models: readonly string[], request: ChatRequest): string {
  const fields: Record<string, unknown> = {};
  const source = request as Record<string, unknown>;
  for (const field in source) {
    const value = source[field];
    if (value === undefined || value === null || IGNORED_FIELDS.has(field)) continue;
    fields[field] = value;
  }
  const hash = createHash("sha256")
    .update(answerShape(request))
    .update("\n")
    .update(models.join(","))
    .update("\n")
    .update(stringify(fields) ?? "{}")
    .digest("hex");
  return `${scope}:${hash}`;
}

/** A key's own entries (`k:<key id>`), or those of the namespace it shares with other keys (`n:<name>`). */
export function cacheScope(keyId: string, namespace: string | null | undefined): string {
  return namespace ? `n:${namespace}` : `k:${keyId}`;
}
