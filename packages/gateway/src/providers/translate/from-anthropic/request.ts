import type { ChatMessage } from "../../../pipeline/chat-request.js";
import type { MessagesBlock, MessagesRequest } from "../../../pipeline/messages-request.js";
import { unsupported } from "../../../pipeline/validate-body.js";

type Obj = Record<string, unknown>;
type UserPart = { type: "text"; text: string } | { type: "image_url"; image_url: { url: string } };

/**
 * An Anthropic Messages request as an OpenAI chat request, so every provider adapter can serve it:
 * `system` becomes a system message, `tool_result` blocks become `tool` messages, `tool_use` blocks
 * become `tool_calls`, images become `image_url` parts. What has no chat equivalent (documents,
 * server tools, extended thinking, top_k, more than 4 stop sequences) is a 400, never dropped.
 *
 * @example toChatRequest({ model: "m", max_tokens: 10, messages: [{ role: "user", content: "hi" }] }, "openai/gpt-4o")
 */
export function toChatRequest(req: MessagesRequest, model: string): Obj {
  for (const field of ["thinking", "container", "mcp_servers"] as const) {
    if (req[field] !== undefined) throw unsupported(field, `${field} is only available on Anthropic models.`);
  }
  if (req.top_k !== undefined) throw unsupported("top_k", "top_k is only available on Anthropic models.");
  if ((req.stop_sequences?.length ?? 0) > 4) {
    throw unsupported("stop_sequences", "At most 4 stop_sequences can be translated for this provider.");
  }
  const messages: ChatMessage[] = [];
  if (req.system !== undefined) {
    const text = typeof req.system === "string" ? req.system : req.system.map((b) => b.text).join("\n");
    messages.push({ role: "system", content: text });
  }
  for (const [i, m] of req.messages.entries()) {
    if (typeof m.content === "string") messages.push({ role: m.role, content: m.content } as ChatMessage);
    else if (m.role === "user") messages.push(...userTurn(m.content, i));
    else messages.push(assistantTurn(m.content, i));
  }
  const chat: Obj = { model, messages, max_tokens: req.max_tokens };
  if (req.stop_sequences?.length) chat.stop = req.stop_sequences;
  if (req.temperature !== undefined) chat.temperature = req.temperature;
  if (req.top_p !== undefined) chat.top_p = req.top_p;
  if (req.stream) chat.stream = true;
  if (req.metadata?.user_id) chat.user = req.metadata.user_id;
  if (req.session_id !== undefined) chat.session_id = req.session_id;
  if (req.tools?.length) chat.tools = req.tools.map((t, i) => functionTool(t, i));
  if (req.tool_choice) {
    const c = req.tool_choice;
    if (c.type === "auto") chat.tool_choice = "auto";
    else if (c.type === "any") chat.tool_choice = "required";
    else if (c.type === "none") chat.tool_choice = "none";
    else chat.tool_choice = { type: "function", function: { name: c.name ?? "" } };
    if (c.disable_parallel_tool_use) chat.parallel_tool_calls = false;
  }
  return chat;
}

function functionTool(t: NonNullable<MessagesRequest["tools"]>[number], i: number): Obj {
  if (t.type !== undefined && t.type !== "custom") {
    throw unsupported(
      `tools.${i}.type`,
      `The server tool "${t.type}" is only available on Anthropic models.`,
    );
  }
  const fn: Obj = { name: t.name, parameters: t.input_schema ?? { type: "object", properties: {} } };
  if (t.description !== undefined) fn.description = t.description;
  return { type: "function", function: fn };
}

/** Tool results come first, as `tool` messages, in order; the rest of the turn is one user message. */
function userTurn(blocks: MessagesBlock[], i: number): ChatMessage[] {
  const out: ChatMessage[] = [];
  const parts: UserPart[] = [];
  for (const [j, b] of blocks.entries()) {
    if (b.type === "text") parts.push({ type: "text", text: String(b.text ?? "") });
    else if (b.type === "image") parts.push({ type: "image_url", image_url: { url: imageUrl(b, i, j) } });
    else if (b.type === "tool_result") {
      out.push({ role: "tool", tool_call_id: String(b.tool_use_id ?? ""), content: toolResultText(b, i, j) });
    } else throw unsupported(`messages.${i}.content.${j}.type`, blockRefusal(b.type));
  }
  if (parts.length > 0) {
    const simple = parts.every((p) => p.type === "text");
    out.push({
      role: "user",
      content: simple ? parts.map((p) => (p as { text: string }).text).join("\n") : parts,
    } as ChatMessage);
  }
  return out;
}

function assistantTurn(blocks: MessagesBlock[], i: number): ChatMessage {
  const text: string[] = [];
  const calls: { id: string; type: "function"; function: { name: string; arguments: string } }[] = [];
  for (const [j, b] of blocks.entries()) {
    if (b.type === "text") text.push(String(b.text ?? ""));
    else if (b.type === "tool_use") {
      calls.push({
        id: String(b.id ?? ""),
        type: "function",
        function: { name: String(b.name ?? ""), arguments: JSON.stringify(b.input ?? {}) },
      });
    } else if (b.type === "thinking" || b.type === "redacted_thinking") {
      // Earlier thinking is Claude's own signed record; other providers can neither read nor need it.
    } else throw unsupported(`messages.${i}.content.${j}.type`, blockRefusal(b.type));
  }
  const message: Obj = { role: "assistant", content: text.length > 0 ? text.join("") : null };
  if (calls.length > 0) message.tool_calls = calls;
  return message as ChatMessage;
}

function imageUrl(b: MessagesBlock, i: number, j: number): string {
  const source = b.source as Obj | undefined;
  if (source?.type === "base64" && typeof source.data === "string" && typeof source.media_type === "string") {
    return `data:${source.media_type};base64,${source.data}`;
  }
  if (source?.type === "url" && typeof source.url === "string") return source.url;
  throw unsupported(`messages.${i}.content.${j}.source`, "Images must have a base64 or url source.");
}

function toolResultText(b: MessagesBlock, i: number, j: number): string {
  const content = b.content;
  let text: string;
  if (content === undefined) text = "";
  else if (typeof content === "string") text = content;
  else if (Array.isArray(content) && content.every((c) => (c as Obj)?.type === "text")) {
    text = content.map((c) => String((c as Obj).text)).join("\n");
  } else {
    throw unsupported(
      `messages.${i}.content.${j}.content`,
      "Only text tool results can be translated for this provider.",
    );
  }
  return b.is_error === true ? `Error: ${text}` : text;
}

function blockRefusal(type: string): string {
  return `Content blocks of type "${type}" are only available on Anthropic models.`;
}
