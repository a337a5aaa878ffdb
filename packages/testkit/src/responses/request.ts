/** Reads an OpenAI Responses request (`POST /v1/responses`) into the planner's `Conversation`. */
import { contentText } from "../openai/request.js";
import { type Conversation, isObject, type ToolChoice, type ToolSpec } from "../scenario.js";

export interface ResponsesCall {
  model: string;
  stream: boolean;
  conversation: Conversation;
  /** Echoed on the Response object, as the API does. */
  echo: Record<string, unknown>;
}

export type ResponsesParse =
  | { ok: true; call: ResponsesCall }
  | { ok: false; message: string; param: string };

type Obj = Record<string, unknown>;

export function parseResponsesRequest(body: unknown): ResponsesParse {
  if (!isObject(body)) return { ok: false, message: "The request body must be a JSON object.", param: "" };
  const { model, input } = body;
  if (typeof model !== "string" || model === "") {
    return { ok: false, message: "Missing required parameter: 'model'.", param: "model" };
  }
  const items: Obj[] =
    typeof input === "string"
      ? [{ role: "user", content: input }]
      : Array.isArray(input)
        ? (input as Obj[])
        : [];
  if (items.length === 0 || !items.every(isObject)) {
    return { ok: false, message: "Invalid value for 'input'.", param: "input" };
  }
  let promptChars = typeof body.instructions === "string" ? body.instructions.length : 0;
  let userText = "";
  for (const [i, item] of items.entries()) {
    const type = item.type ?? "message";
    if (type === "message") {
      const text = contentText(item.content);
      promptChars += text.length;
      if (item.role === "user") userText = text;
    } else if (type === "function_call") promptChars += String(item.arguments ?? "").length;
    else if (type === "function_call_output") promptChars += String(item.output ?? "").length;
    else return { ok: false, message: `Invalid value: '${String(type)}'.`, param: `input[${i}].type` };
  }
  const last = items[items.length - 1] as Obj;
  const lastType = last.type ?? "message";
  const ending =
    lastType === "function_call_output"
      ? "tool_results"
      : lastType === "message" && last.role === "user"
        ? "user"
        : "other";
  const toolResults: string[] = [];
  if (ending === "tool_results") {
    let start = items.length;
    while (start > 0 && (items[start - 1] as Obj).type === "function_call_output") start--;
    for (let i = start; i < items.length; i++) toolResults.push(String((items[i] as Obj).output ?? ""));
  }
  const max = body.max_output_tokens;
  return {
    ok: true,
    call: {
      model,
      stream: body.stream === true,
      conversation: {
        userText,
        ending,
        toolResults,
        promptChars,
        tools: readTools(body.tools),
        toolChoice: readToolChoice(body.tool_choice),
        maxTokens: typeof max === "number" && max >= 0 ? Math.floor(max) : null,
      },
      echo: {
        instructions: body.instructions ?? null,
        max_output_tokens: body.max_output_tokens ?? null,
        tools: body.tools ?? [],
        tool_choice: body.tool_choice ?? "auto",
        temperature: body.temperature ?? 1,
        top_p: body.top_p ?? 1,
        parallel_tool_calls: body.parallel_tool_calls ?? true,
        previous_response_id: body.previous_response_id ?? null,
        metadata: body.metadata ?? {},
        store: body.store ?? true,
        text: body.text ?? { format: { type: "text" } },
      },
    },
  };
}

/** Responses tools are flat: `{type: "function", name, parameters}`. */
function readTools(tools: unknown): ToolSpec[] {
  if (!Array.isArray(tools)) return [];
  const out: ToolSpec[] = [];
  for (const tool of tools) {
    if (isObject(tool) && tool.type === "function" && typeof tool.name === "string") {
      out.push({ name: tool.name, parameters: tool.parameters });
    }
  }
  return out;
}

function readToolChoice(choice: unknown): ToolChoice {
  if (choice === "none") return { mode: "none" };
  if (choice === "required") return { mode: "required" };
  if (isObject(choice) && choice.type === "function" && typeof choice.name === "string") {
    return { mode: "named", name: choice.name };
  }
  return { mode: "auto" };
}
