import type { ChatRequest } from "../../pipeline/chat-request.js";
import { untranslatable } from "../translate/invalid.js";
import { toGeminiSchema } from "./schema.js";

type Obj = Record<string, unknown>;

const VENDOR = "Gemini";

export interface GeminiTools {
  tools?: Obj[];
  toolConfig?: Obj;
}

/**
 * `tools` → one `functionDeclarations` tool with sanitised schemas; `tool_choice` → `toolConfig`
 * (reference §4.1): auto → AUTO, none → NONE, required → ANY, a named function → ANY limited to it,
 * `allowed_tools` → the subset (named with ANY, filtered with AUTO, since Gemini honours
 * `allowedFunctionNames` only with ANY). `parallel_tool_calls` has no Gemini equivalent.
 */
export function toGeminiTools(request: ChatRequest): GeminiTools {
  if (!request.tools || request.tools.length === 0) return {};
  let declarations = request.tools.map((tool, i) => {
    if (tool.type !== "function") {
      throw untranslatable(VENDOR, ["tools", i], "unsupported_tool", "custom tools are not supported");
    }
    const declaration: Obj = { name: tool.function.name };
    if (tool.function.description !== undefined) declaration.description = tool.function.description;
    const parameters = toGeminiSchema(tool.function.parameters, ["tools", i, "function", "parameters"]);
    // An object schema without properties means "no arguments": Gemini wants no `parameters` then.
    if (parameters !== undefined) declaration.parameters = parameters;
    return declaration;
  });
  let config: Obj | undefined;
  const c = request.tool_choice;
  if (c === undefined || c === "auto") config = undefined;
  else if (c === "none") config = { mode: "NONE" };
  else if (c === "required") config = { mode: "ANY" };
  else if (c.type === "function") config = { mode: "ANY", allowedFunctionNames: [c.function.name] };
  else if (c.type === "allowed_tools") {
    const names = c.allowed_tools.tools.map((t) => t.function.name);
    if (c.allowed_tools.mode === "required") config = { mode: "ANY", allowedFunctionNames: names };
    else declarations = declarations.filter((d) => names.includes(d.name as string));
  } else {
    throw untranslatable(VENDOR, ["tool_choice"], "unsupported_tool", "custom tools are not supported");
  }
  const out: GeminiTools = { tools: [{ functionDeclarations: declarations }] };
  if (config !== undefined) out.toolConfig = { functionCallingConfig: config };
  return out;
}
