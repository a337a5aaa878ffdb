/** Reads a (validated) Gemini generateContent request into the planner's `Conversation`. */
import { type Conversation, isObject, type ToolChoice, type ToolSpec } from "../scenario.js";
import { partsOf } from "./validate.js";

type Obj = Record<string, unknown>;

function textOf(parts: Obj[]): string {
  return parts
    .filter((p) => typeof p.text === "string" && p.thought !== true)
    .map((p) => p.text as string)
    .join(" ");
}

/**
 * A functionResponse as text: `response.output` when it is a string, else JSON. Gateways put
 * an OpenAI tool message's content under `output`, so round trips echo the original text.
 */
function responseText(part: Obj): string {
  const response = (part.functionResponse as Obj).response;
  if (isObject(response) && typeof response.output === "string") return response.output;
  if (isObject(response) && response.output !== undefined) return JSON.stringify(response.output);
  return JSON.stringify(response ?? null);
}

/** Call only after `validateGenerateContent` passed. */
export function readGeminiRequest(body: Obj): Conversation {
  const contents = body.contents as Obj[];
  let promptChars = isObject(body.systemInstruction) ? textOf(partsOf(body.systemInstruction)).length : 0;
  let userText = "";
  for (const content of contents) {
    const parts = partsOf(content);
    const text = textOf(parts);
    promptChars += text.length;
    for (const part of parts) if (isObject(part.functionResponse)) promptChars += responseText(part).length;
    if (content.role !== "model" && text !== "") userText = text;
  }
  const last = contents[contents.length - 1] as Obj;
  const responses = partsOf(last).filter((p) => isObject(p.functionResponse));
  const ending = last.role === "model" ? "other" : responses.length > 0 ? "tool_results" : "user";
  const generationConfig = isObject(body.generationConfig) ? body.generationConfig : {};
  const maxOutput = generationConfig.maxOutputTokens;
  return {
    userText,
    ending,
    toolResults: responses.map(responseText),
    promptChars,
    tools: readTools(body.tools),
    toolChoice: readToolChoice(body.toolConfig),
    maxTokens: typeof maxOutput === "number" && maxOutput >= 0 ? Math.floor(maxOutput) : null,
  };
}

function readTools(tools: unknown): ToolSpec[] {
  if (!Array.isArray(tools)) return [];
  const out: ToolSpec[] = [];
  for (const tool of tools) {
    if (!isObject(tool) || !Array.isArray(tool.functionDeclarations)) continue;
    for (const declaration of tool.functionDeclarations) {
      if (isObject(declaration) && typeof declaration.name === "string") {
        out.push({
          name: declaration.name,
          parameters: declaration.parameters ?? declaration.parametersJsonSchema,
        });
      }
    }
  }
  return out;
}

function readToolChoice(toolConfig: unknown): ToolChoice {
  const config =
    isObject(toolConfig) && isObject(toolConfig.functionCallingConfig)
      ? toolConfig.functionCallingConfig
      : {};
  const mode = typeof config.mode === "string" ? config.mode.toUpperCase() : "AUTO";
  if (mode === "NONE") return { mode: "none" };
  if (mode === "ANY" || mode === "VALIDATED") {
    const allowed = config.allowedFunctionNames;
    if (Array.isArray(allowed) && allowed.length > 0 && typeof allowed[0] === "string") {
      return { mode: "named", name: allowed[0] };
    }
    return { mode: "required" };
  }
  return { mode: "auto" };
}
