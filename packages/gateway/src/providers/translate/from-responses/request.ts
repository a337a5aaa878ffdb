import type { ChatMessage } from "../../../pipeline/chat-request.js";
import type { ResponsesItem, ResponsesRequest } from "../../../pipeline/responses-request.js";
import { unsupported } from "../../../pipeline/validate-body.js";

type Obj = Record<string, unknown>;

/** Request fields that need state or tools the gateway does not have; each is a 400 rather than ignored. */
const REFUSED = [
  "previous_response_id",
  "conversation",
  "background",
  "include",
  "prompt",
  "reasoning",
  "truncation",
  "service_tier",
  "top_logprobs",
  "max_tool_calls",
] as const;

/**
 * A Responses request as an OpenAI chat request: `instructions` becomes a system message, message
 * items become chat messages (`input_text`/`output_text` → text, `input_image` → `image_url`),
 * `function_call` items become assistant `tool_calls`, `function_call_output` items become `tool`
 * messages, function tools become chat tools, `text.format` becomes `response_format`. Built-in tools,
 * stored state (`previous_response_id`) and other item types are refused with a 400.
 *
 * @example toChatFromResponses({ model: "openai/gpt-4o", input: "hi" }, "openai/gpt-4o")
 */
export function toChatFromResponses(req: ResponsesRequest, model: string): Obj {
  for (const field of REFUSED) {
    if (req[field] !== undefined && req[field] !== null) {
      throw unsupported(field, `${field} is not supported by this gateway's /v1/responses.`);
    }
  }
  const messages: ChatMessage[] = [];
  if (req.instructions) messages.push({ role: "system", content: req.instructions });
  if (typeof req.input === "string") messages.push({ role: "user", content: req.input });
  else for (const [i, it] of req.input.entries()) appendItem(messages, it, i);
  const chat: Obj = { model, messages };
  if (req.max_output_tokens != null) chat.max_tokens = req.max_output_tokens;
  if (req.temperature != null) chat.temperature = req.temperature;
  if (req.top_p != null) chat.top_p = req.top_p;
  if (req.parallel_tool_calls != null) chat.parallel_tool_calls = req.parallel_tool_calls;
  if (req.user !== undefined) chat.user = req.user;
  if (req.session_id !== undefined) chat.session_id = req.session_id;
  if (req.stream) chat.stream = true;
  if (req.tools?.length) chat.tools = req.tools.map(functionTool);
  if (req.tool_choice !== undefined) chat.tool_choice = toolChoice(req.tool_choice);
  const format = req.text?.format;
  if (format && format.type !== "text") chat.response_format = responseFormat(format);
  return chat;
}

function appendItem(messages: ChatMessage[], it: ResponsesItem, i: number): void {
  const type = it.type ?? "message";
  if (type === "message") {
    const role = it.role;
    if (role !== "user" && role !== "assistant" && role !== "system" && role !== "developer") {
      throw unsupported(`input.${i}.role`, `Unknown role "${String(role)}".`);
    }
    messages.push({ role, content: messageContent(it.content, role, i) } as ChatMessage);
    return;
  }
  if (type === "function_call") {
    const call = {
      id: String(it.call_id ?? ""),
      type: "function" as const,
      function: { name: String(it.name ?? ""), arguments: String(it.arguments ?? "") },
    };
    // Consecutive calls of one turn belong on one assistant message.
    const last = messages.at(-1) as Obj | undefined;
    if (last?.role === "assistant" && Array.isArray(last.tool_calls))
      (last.tool_calls as unknown[]).push(call);
    else messages.push({ role: "assistant", content: null, tool_calls: [call] });
    return;
  }
  if (type === "function_call_output") {
    const output = typeof it.output === "string" ? it.output : JSON.stringify(it.output ?? "");
    messages.push({ role: "tool", tool_call_id: String(it.call_id ?? ""), content: output });
    return;
  }
  throw unsupported(
    `input.${i}.type`,
    `Input items of type "${type}" are not supported by /v1/responses here.`,
  );
}

function messageContent(content: unknown, role: string, i: number): unknown {
  if (typeof content === "string") return content;
  if (!Array.isArray(content))
    throw unsupported(`input.${i}.content`, "content must be a string or a list of parts.");
  const parts = content.map((p: Obj, j) => {
    if (p?.type === "input_text" || p?.type === "output_text")
      return { type: "text", text: String(p.text ?? "") };
    if (p?.type === "input_image" && role === "user" && typeof p.image_url === "string") {
      const part: Obj = { type: "image_url", image_url: { url: p.image_url } };
      if (p.detail === "low" || p.detail === "high" || p.detail === "auto")
        (part.image_url as Obj).detail = p.detail;
      return part;
    }
    throw unsupported(
      `input.${i}.content.${j}.type`,
      `Content parts of type "${String(p?.type)}" are not supported here.`,
    );
  });
  // Non-user roles take text only in chat completions: join it.
  if (role !== "user") return parts.map((p) => String((p as Obj).text ?? "")).join("");
  return parts;
}

function functionTool(t: Obj, i: number): Obj {
  if (t.type !== "function") {
    throw unsupported(
      `tools.${i}.type`,
      `Built-in tool "${String(t.type)}" is not supported by /v1/responses here.`,
    );
  }
  const fn: Obj = { name: t.name, parameters: t.parameters ?? { type: "object", properties: {} } };
  if (t.description != null) fn.description = t.description;
  if (t.strict != null) fn.strict = t.strict;
  return { type: "function", function: fn };
}

function toolChoice(choice: NonNullable<ResponsesRequest["tool_choice"]>): unknown {
  if (typeof choice === "string") return choice;
  if (choice.type === "function" && choice.name) return { type: "function", function: { name: choice.name } };
  throw unsupported("tool_choice", `tool_choice of type "${choice.type}" is not supported here.`);
}

function responseFormat(format: Obj): Obj {
  if (format.type === "json_object") return { type: "json_object" };
  if (format.type === "json_schema") {
    const schema: Obj = { name: format.name, schema: format.schema };
    if (format.description != null) schema.description = format.description;
    if (format.strict != null) schema.strict = format.strict;
    return { type: "json_schema", json_schema: schema };
  }
  throw unsupported("text.format.type", `text.format "${String(format.type)}" is not supported here.`);
}
