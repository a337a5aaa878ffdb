import { createHash } from "node:crypto";
import type { ChatRequest } from "../pipeline/chat-request.js";
import type { VendorQuirks } from "./quirks.js";

/**
 * Builds the body an OpenAI-compatible vendor receives: the client's request with the upstream model
 * id, the gateway's usage request on streams, and the vendor's quirks applied. Serialized once.
 */
export function buildOpenAIBody(
  request: ChatRequest,
  upstreamModel: string,
  quirks: VendorQuirks,
): Record<string, unknown> {
  const body: Record<string, unknown> = { ...request, model: upstreamModel };
  if (body.stream === true) {
    // Always ask for usage, so every stream can report usage and cost; the relay decides what the client sees.
    if (quirks.streamOptions === false) delete body.stream_options;
    else body.stream_options = { ...(request.stream_options ?? {}), include_usage: true };
  } else {
    delete body.stream;
    delete body.stream_options;
  }
  for (const field of quirks.dropFields ?? []) delete body[field];
  for (const rule of quirks.modelDropFields ?? []) {
    if (rule.match.test(upstreamModel)) for (const field of rule.fields) delete body[field];
  }
  if (quirks.allowFields) {
    const allowed = new Set(quirks.allowFields);
    for (const field of Object.keys(body)) if (!allowed.has(field)) delete body[field];
  }
  for (const [from, to] of Object.entries(quirks.renameFields ?? {})) {
    if (from in body) {
      if (!(to in body)) body[to] = body[from];
      delete body[from];
    }
  }
  if (quirks.toolChoiceRequired && body.tool_choice === "required")
    body.tool_choice = quirks.toolChoiceRequired;
  if (quirks.dropMessageName || quirks.toolCallIds) {
    body.messages = request.messages.map((m) => patchMessage(m as Record<string, unknown>, quirks));
  }
  Object.assign(body, quirks.extraBody);
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
