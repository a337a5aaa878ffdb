/** Reads a (validated) Anthropic Messages request into the planner's `Conversation`. */
import { type Conversation, isObject, type ToolChoice, type ToolSpec } from "../scenario.js";
import { blocksOf } from "./validate.js";

export interface AnthropicRequest {
  model: string;
  stream: boolean;
  conversation: Conversation;
}

/** Text of a tool_result's content: a string, or its text blocks. */
function resultText(content: unknown): string {
  if (content === undefined) return "";
  return blocksOf(content)
    .filter((b) => b.type === "text" && typeof b.text === "string")
    .map((b) => b.text as string)
    .join(" ");
}

function textOf(blocks: Record<string, unknown>[]): string {
  return blocks
    .filter((b) => b.type === "text" && typeof b.text === "string")
    .map((b) => b.text as string)
    .join(" ");
}

/** Call only after `validateMessagesRequest` passed. */
export function readAnthropicRequest(body: Record<string, unknown>): AnthropicRequest {
  const messages = body.messages as Record<string, unknown>[];
  let promptChars = 0;
  if (typeof body.system === "string") promptChars += body.system.length;
  else if (Array.isArray(body.system)) promptChars += textOf(body.system.filter(isObject)).length;
  let userText = "";
  for (const message of messages) {
    const blocks = blocksOf(message.content);
    const text = textOf(blocks);
    promptChars += text.length;
    for (const block of blocks)
      if (block.type === "tool_result") promptChars += resultText(block.content).length;
    if (message.role === "user" && text !== "") userText = text;
  }
  const last = messages[messages.length - 1] as Record<string, unknown>;
  const lastBlocks = blocksOf(last.content);
  const results = lastBlocks.filter((b) => b.type === "tool_result");
  const ending = last.role !== "user" ? "other" : results.length > 0 ? "tool_results" : "user";
  return {
    model: body.model as string,
    stream: body.stream === true,
    conversation: {
      userText,
      ending,
      toolResults: results.map((b) => resultText(b.content)),
      promptChars,
      tools: readTools(body.tools),
      toolChoice: readToolChoice(body.tool_choice),
      maxTokens: body.max_tokens as number,
    },
  };
}

function readTools(tools: unknown): ToolSpec[] {
  if (!Array.isArray(tools)) return [];
  const out: ToolSpec[] = [];
  for (const tool of tools) {
    if (
      isObject(tool) &&
      (tool.type === undefined || tool.type === "custom") &&
      typeof tool.name === "string"
    ) {
      out.push({ name: tool.name, parameters: tool.input_schema });
    }
  }
  return out;
}

function readToolChoice(choice: unknown): ToolChoice {
  if (!isObject(choice)) return { mode: "auto" };
  if (choice.type === "none") return { mode: "none" };
  if (choice.type === "any") return { mode: "required" };
  if (choice.type === "tool" && typeof choice.name === "string") return { mode: "named", name: choice.name };
  return { mode: "auto" };
}
