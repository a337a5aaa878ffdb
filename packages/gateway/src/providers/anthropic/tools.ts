import type { ChatRequest } from "../../pipeline/chat-request.js";
import { untranslatable } from "../translate/invalid.js";
import type { Block } from "./content.js";

const VENDOR = "Anthropic";

export interface AnthropicTools {
  tools?: Block[];
  tool_choice?: Block;
}

type Tool = NonNullable<ChatRequest["tools"]>[number];

/**
 * `tools` and `tool_choice` (reference §2.3, §4.1): `required` → `any`, a named function → `tool`,
 * `allowed_tools` → the listed tools only with `auto`/`any`, `parallel_tool_calls: false` →
 * `disable_parallel_tool_use`. Without tools nothing is sent, not even a tool_choice.
 */
export function toAnthropicTools(request: ChatRequest): AnthropicTools {
  if (!request.tools || request.tools.length === 0) return {};
  let tools = request.tools.map((tool, i) => toolDefinition(tool, i));
  let choice: Block;
  const c = request.tool_choice;
  if (c === undefined || c === "auto") choice = { type: "auto" };
  else if (c === "none") choice = { type: "none" };
  else if (c === "required") choice = { type: "any" };
  else if (c.type === "function") choice = { type: "tool", name: c.function.name };
  else if (c.type === "allowed_tools") {
    const allowed = new Set(c.allowed_tools.tools.map((t) => t.function.name));
    tools = tools.filter((t) => allowed.has(t.name as string));
    choice = { type: c.allowed_tools.mode === "required" ? "any" : "auto" };
  } else {
    throw untranslatable(VENDOR, ["tool_choice"], "unsupported_tool", "custom tools are not supported");
  }
  if (request.parallel_tool_calls === false && choice.type !== "none")
    choice.disable_parallel_tool_use = true;
  return { tools, tool_choice: choice };
}

function toolDefinition(tool: Tool, i: number): Block {
  if (tool.type !== "function") {
    throw untranslatable(VENDOR, ["tools", i], "unsupported_tool", "custom tools are not supported");
  }
  const fn = tool.function;
  const out: Block = { name: fn.name };
  if (fn.description !== undefined) out.description = fn.description;
  out.input_schema = inputSchema(fn.parameters, i);
  return out;
}

/** Anthropic requires an object schema, even for a tool without arguments (reference §4.4 item 8). */
export function inputSchema(parameters: Record<string, unknown> | undefined, i: number): Block {
  if (parameters === undefined || Object.keys(parameters).length === 0)
    return { type: "object", properties: {} };
  if (parameters.type === undefined) return { type: "object", ...parameters };
  if (parameters.type !== "object") {
    throw untranslatable(
      VENDOR,
      ["tools", i, "function", "parameters", "type"],
      "unsupported_schema",
      'tool parameters must be an object schema (type "object")',
    );
  }
  return parameters;
}
