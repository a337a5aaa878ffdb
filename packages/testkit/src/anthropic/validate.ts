/**
 * The request checks the real Messages API enforces, with its error wording, so the gateway's
 * Anthropic translation is caught here rather than in production (reference §2.1–2.3, §4.4).
 * Each check returns the 400 message, or null when the request passes.
 */
import { isObject } from "../scenario.js";

const TOOL_ID_RE = /^[a-zA-Z0-9_-]+$/;
const TOOL_NAME_RE = /^[a-zA-Z0-9_-]{1,64}$/;

type Block = Record<string, unknown>;

/** Content as blocks: a string is one text block. */
export function blocksOf(content: unknown): Block[] {
  if (typeof content === "string") return [{ type: "text", text: content }];
  return Array.isArray(content) ? content.filter(isObject) : [];
}

export function validateMessagesRequest(body: Record<string, unknown>): string | null {
  if (typeof body.model !== "string" || body.model === "") return "model: Field required";
  const maxTokens = body.max_tokens;
  if (maxTokens === undefined || maxTokens === null) return "max_tokens: Field required";
  if (typeof maxTokens !== "number" || !Number.isInteger(maxTokens))
    return "max_tokens: Input should be a valid integer";
  if (maxTokens < 1) return "max_tokens: Input should be greater than or equal to 1";
  const messages = body.messages;
  if (!Array.isArray(messages)) return "messages: Field required";
  if (messages.length === 0) return "messages: at least one message is required";
  return (
    checkSystem(body.system) ??
    checkRolesAndText(messages) ??
    checkToolPairing(messages) ??
    checkTools(body.tools) ??
    checkToolChoice(body.tool_choice)
  );
}

function checkSystem(system: unknown): string | null {
  if (system === undefined || typeof system === "string") return null;
  if (!Array.isArray(system)) return "system: Input should be a valid string or list of text blocks";
  for (const block of system) {
    const problem = textProblem(block);
    if (problem !== null) return `system: ${problem}`;
  }
  return null;
}

function textProblem(block: unknown): string | null {
  if (!isObject(block) || block.type !== "text") return null;
  if (typeof block.text !== "string" || block.text === "") return "text content blocks must be non-empty";
  if (block.text.trim() === "") return "text content blocks must contain non-whitespace text";
  return null;
}

function checkRolesAndText(messages: unknown[]): string | null {
  for (let i = 0; i < messages.length; i++) {
    const message = messages[i];
    if (!isObject(message)) return `messages.${i}: Input should be a valid dictionary`;
    const role = message.role;
    if (role === "system") {
      return 'messages: Unexpected role "system". The Messages API accepts a top-level `system` parameter, not "system" as an input message role.';
    }
    if (role !== "user" && role !== "assistant")
      return `messages.${i}.role: Input should be 'user' or 'assistant'`;
    if (i === 0 && role !== "user") return 'messages: first message must use the "user" role';
    const content = message.content;
    if (typeof content !== "string" && !Array.isArray(content)) {
      return `messages.${i}.content: Input should be a valid string or list of content blocks`;
    }
    const isFinalAssistant = i === messages.length - 1 && role === "assistant";
    if (Array.isArray(content) && content.length === 0 && !isFinalAssistant) {
      return `messages.${i}: all messages must have non-empty content except for the optional final assistant message`;
    }
    for (const block of blocksOf(content)) {
      const problem = textProblem(block);
      if (problem !== null) return `messages: ${problem}`;
      if (block.type === "tool_use") {
        if (role !== "assistant")
          return `messages.${i}: \`tool_use\` blocks can only be in \`assistant\` messages`;
        if (typeof block.id !== "string" || !TOOL_ID_RE.test(block.id)) {
          return `messages.${i}.content.tool_use.id: String should match pattern '^[a-zA-Z0-9_-]+$'`;
        }
        if (!isObject(block.input))
          return `messages.${i}.content.tool_use.input: Input should be a valid dictionary`;
      }
      if (block.type === "tool_result" && role !== "user") {
        return `messages.${i}: \`tool_result\` blocks can only be in \`user\` messages`;
      }
    }
    if (isFinalAssistant && endsWithWhitespace(content)) {
      return "messages: final assistant content cannot end with trailing whitespace";
    }
  }
  return null;
}

function endsWithWhitespace(content: unknown): boolean {
  const blocks = blocksOf(content);
  const last = blocks[blocks.length - 1];
  return last !== undefined && last.type === "text" && typeof last.text === "string" && /\s$/.test(last.text);
}

/** Every tool_use needs a tool_result first in the very next user message, and vice versa. */
function checkToolPairing(messages: unknown[]): string | null {
  for (let i = 0; i < messages.length; i++) {
    const message = messages[i] as Block;
    const blocks = blocksOf(message.content);
    const previous = i > 0 ? (messages[i - 1] as Block) : null;
    const expected =
      previous !== null && previous.role === "assistant"
        ? blocksOf(previous.content)
            .filter((b) => b.type === "tool_use")
            .map((b) => b.id as string)
        : [];
    if (message.role === "user") {
      // Results must lead the message; a result after other content breaks the pairing.
      let leading = 0;
      while (leading < blocks.length && (blocks[leading] as Block).type === "tool_result") leading++;
      if (blocks.slice(leading).some((b) => b.type === "tool_result")) {
        return `messages.${i}: \`tool_result\` blocks must come first in the user message, before any other content`;
      }
      const answered = blocks.slice(0, leading).map((b) => b.tool_use_id);
      for (const id of answered) {
        if (!expected.includes(id as string)) {
          return `messages.${i}.content: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${String(id)}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`;
        }
      }
      if (expected.length > 0 && leading === 0) {
        return `messages.${i}: Messages following \`tool_use\` blocks must begin with a matching number of \`tool_result\` blocks.`;
      }
      const missing = expected.filter((id) => !answered.includes(id));
      if (missing.length > 0) return missingResults(i - 1, missing);
    } else {
      const ownToolUses = blocks.filter((b) => b.type === "tool_use").map((b) => b.id as string);
      const next = messages[i + 1] as Block | undefined;
      if (ownToolUses.length > 0 && (next === undefined || next.role !== "user")) {
        return missingResults(i, ownToolUses);
      }
    }
  }
  return null;
}

function missingResults(index: number, ids: string[]): string {
  return `messages.${index + 1}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${ids.join(", ")}. Each \`tool_use\` block must have a corresponding \`tool_result\` block in the next message.`;
}

function checkTools(tools: unknown): string | null {
  if (tools === undefined) return null;
  if (!Array.isArray(tools)) return "tools: Input should be a valid list";
  for (let i = 0; i < tools.length; i++) {
    const tool = tools[i];
    if (!isObject(tool)) return `tools.${i}: Input should be a valid dictionary`;
    // Server tools (web_search_…, bash_…) have a versioned type and no input_schema.
    if (tool.type !== undefined && tool.type !== "custom") continue;
    if (typeof tool.name !== "string" || !TOOL_NAME_RE.test(tool.name)) {
      return `tools.${i}.custom.name: String should match pattern '^[a-zA-Z0-9_-]{1,64}$'`;
    }
    if (!isObject(tool.input_schema)) return `tools.${i}.custom.input_schema: Field required`;
    if (tool.input_schema.type !== "object")
      return `tools.${i}.custom.input_schema.type: Input should be 'object'`;
  }
  return null;
}

function checkToolChoice(choice: unknown): string | null {
  if (choice === undefined) return null;
  if (!isObject(choice)) return "tool_choice: Input should be a valid dictionary";
  const type = choice.type;
  if (type !== "auto" && type !== "any" && type !== "tool" && type !== "none") {
    return "tool_choice.type: Input should be 'auto', 'any', 'tool' or 'none'";
  }
  if (type === "tool" && typeof choice.name !== "string") return "tool_choice.tool.name: Field required";
  return null;
}
