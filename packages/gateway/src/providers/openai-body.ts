import { createHash } from "node:crypto";
import { memoByOwner } from "../memo.js";
import { type ChatRequest, MESHAPI_EXTENSIONS } from "../pipeline/chat-request.js";
import type { VendorQuirks } from "./quirks.js";

/** The fields a vendor must not receive, per quirks object and model, computed once. */
const droppedFields = memoByOwner((quirks: VendorQuirks, upstreamModel: string): ReadonlySet<string> => {
  // MeshAPI's own request fields are never forwarded, to any vendor.
  const dropped = new Set<string>([...MESHAPI_EXTENSIONS, ...(quirks.dropFields ?? [])]);
  for (const rule of quirks.modelDropFields ?? []) {
    if (rule.match.test(upstreamModel)) for (const field of rule.fields) dropped.add(field);
  }
  return dropped;
});

/**
 * Builds the body an OpenAI-compatible vendor receives: the client's request without MeshAPI's
 * extensions, with the upstream model id, the gateway's usage request on streams, and the vendor's quirks applied. One pass, no `delete`:
 * deleting keys turns V8 objects into slow dictionaries right before they are serialised.
 */
export function buildOpenAIBody(
  request: ChatRequest,
  upstreamModel: string,
  quirks: VendorQuirks,
): Record<string, unknown> {
  const dropped = droppedFields(quirks, upstreamModel);
  const allowed = quirks.allowFields;
  const renames = quirks.renameFields;
  const patchMessages = quirks.dropMessageName || quirks.toolCallIds;
  const source = request as Record<string, unknown>;
  const body: Record<string, unknown> = { model: upstreamModel };
  for (const field in source) {
    if (field === "model" || field === "stream" || field === "stream_options") continue;
    const value = source[field];
    if (value === undefined || dropped.has(field) || (allowed && !allowed.includes(field))) continue;
    const target = renames?.[field] ?? field;
    // When a client sent both spellings, the vendor's own one wins.
    if (target !== field && Object.hasOwn(source, target)) continue;
    body[target] =
      field === "messages" && patchMessages
        ? request.messages.map((m) => patchMessage(m as Record<string, unknown>, quirks))
        : value;
  }
  if (request.stream === true) {
    body.stream = true;
    // Always ask for usage, so every stream can report usage and cost; the relay decides what the client sees.
    if (quirks.streamOptions !== false)
      body.stream_options = { ...(request.stream_options ?? {}), include_usage: true };
  }
  if (quirks.toolChoiceRequired && body.tool_choice === "required")
    body.tool_choice = quirks.toolChoiceRequired;
  if (quirks.extraBody) Object.assign(body, quirks.extraBody);
  return body;
}

function patchMessage(message: Record<string, unknown>, quirks: VendorQuirks): Record<string, unknown> {
  const out = { ...message };
  if (quirks.dropMessageName) delete out.name;
  if (quirks.toolCallIds === "alnum9") {
    if (typeof out.tool_call_id === "string") out.tool_call_id = alnum9(out.tool_call_id);
    if (Array.isArray(out.tool_calls)) {
      out.tool_calls = out.tool_calls.map((c: Record<string, unknown>) => ({
        ...c,
        id: alnum9(String(c.id)),
      }));
    }
  }
  return out;
}

const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** Mistral accepts only 9-character alphanumeric tool-call ids; map others the same way every time. */
export function alnum9(id: string): string {
  if (/^[a-zA-Z0-9]{9}$/.test(id)) return id;
  const digest = createHash("sha256").update(id).digest();
  let out = "";
  for (let i = 0; i < 9; i++) out += ALNUM[(digest[i] as number) % ALNUM.length];
  return out;
}
