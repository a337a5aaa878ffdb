/** Reads an OpenAI Chat Completions request into the planner's `Conversation`. */
import { type Conversation, isObject, type ToolChoice, type ToolSpec } from "../scenario.js";

export interface OpenAIChatRequest {
  model: string;
  stream: boolean;
  includeUsage: boolean;
  conversation: Conversation;
}

export type OpenAIParse =
  | { ok: true; request: OpenAIChatRequest }
  | { ok: false; message: string; param: string };

/** Text of a message's `content`: a string or the `text` parts of an array. */
export function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  let out = "";
  for (const part of content) {
    if (isObject(part) && typeof part.text === "string") out = out === "" ? part.text : `${out} ${part.text}`;
  }
  return out;
}

export function parseOpenAIRequest(body: unknown): OpenAIParse {
  if (!isObject(body)) return { ok: false, message: "The request body must be a JSON object.", param: "" };
  const { model, messages } = body;
  if (typeof model !== "string" || model === "") {
    return { ok: false, message: "you must provide a model parameter", param: "model" };
  }
  if (!Array.isArray(messages) || messages.length === 0) {
    return { ok: false, message: "'messages' must be a non-empty array.", param: "messages" };
  }
  let promptChars = 0;
  let userText = "";
  for (let i = 0; i < messages.length; i++) {
    const message: unknown = messages[i];
    if (!isObject(message) || typeof message.role !== "string") {
      return { ok: false, message: `Invalid message at messages[${i}].`, param: `messages[${i}]` };
    }
    const text = contentText(message.content);
    promptChars += text.length;
    if (message.role === "user") userText = text;
  }
  const last = messages[messages.length - 1] as Record<string, unknown>;
  const ending = last.role === "user" ? "user" : last.role === "tool" ? "tool_results" : "other";
  const toolResults: string[] = [];
  if (ending === "tool_results") {
    // The results of the final turn: the trailing run of tool messages.
    let start = messages.length;
    while (start > 0 && (messages[start - 1] as Record<string, unknown>).role === "tool") start--;
    for (let i = start; i < messages.length; i++) {
      toolResults.push(contentText((messages[i] as Record<string, unknown>).content));
    }
  }
  const streamOptions = body.stream_options;
  return {
    ok: true,
    request: {
      model,
      stream: body.stream === true,
      includeUsage: isObject(streamOptions) && streamOptions.include_usage === true,
      conversation: {
        userText,
        ending,
        toolResults,
        promptChars,
        tools: readTools(body.tools),
        toolChoice: readToolChoice(body.tool_choice),
        maxTokens: readMaxTokens(body),
      },
    },
  };
}

function readTools(tools: unknown): ToolSpec[] {
  if (!Array.isArray(tools)) return [];
  const out: ToolSpec[] = [];
  for (const tool of tools) {
    if (isObject(tool) && isObject(tool.function) && typeof tool.function.name === "string") {
      out.push({ name: tool.function.name, parameters: tool.function.parameters });
    }
  }
  return out;
}

function readToolChoice(choice: unknown): ToolChoice {
  if (choice === "none") return { mode: "none" };
  if (choice === "required") return { mode: "required" };
  if (isObject(choice) && isObject(choice.function) && typeof choice.function.name === "string") {
    return { mode: "named", name: choice.function.name };
  }
  return { mode: "auto" };
}

function readMaxTokens(body: Record<string, unknown>): number | null {
  const value = body.max_completion_tokens ?? body.max_tokens;
  return typeof value === "number" && Number.isFinite(value) && value >= 0 ? Math.floor(value) : null;
}
