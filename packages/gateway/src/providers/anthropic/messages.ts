import { createHash } from "node:crypto";
import type { ChatMessage } from "../../pipeline/chat-request.js";
import { plainText } from "../translate/content.js";
import { untranslatable } from "../translate/invalid.js";
import { parseToolArguments } from "../translate/tool-arguments.js";
import { pushTurn, resultsFirst, type Turn } from "../translate/turns.js";
import { type Block, contentBlocks, textBlock } from "./content.js";

const VENDOR = "Anthropic";
const TOOL_ID_RE = /^[a-zA-Z0-9_-]+$/;

export interface AnthropicConversation {
  /** Every system and developer message, hoisted: the Messages API has no system role. */
  system: Block[];
  messages: { role: "user" | "assistant"; content: Block[] }[];
}

/**
 * Tool-call ids from other vendors may break Anthropic's `^[a-zA-Z0-9_-]+$`; those are replaced by a
 * hash, the same on the `tool_use` and its `tool_result`, so the pair still matches.
 */
export function anthropicToolId(id: string): string {
  if (TOOL_ID_RE.test(id)) return id;
  return `toolu_${createHash("sha256").update(id).digest("base64url").slice(0, 24)}`;
}

/**
 * OpenAI messages → Anthropic `system` + alternating `messages` (reference §4.1, §4.4 items 2, 3, 12, 17):
 * tool messages become `tool_result` blocks in a user turn, consecutive same-role turns merge, results
 * lead their user turn, and a final assistant prefill loses its trailing whitespace.
 */
export function toAnthropicConversation(messages: readonly ChatMessage[]): AnthropicConversation {
  const system: Block[] = [];
  const turns: Turn<"user" | "assistant", Block>[] = [];
  messages.forEach((message, i) => {
    const loc = ["messages", i];
    switch (message.role) {
      case "system":
      case "developer": {
        for (const block of contentBlocks(message.content, loc)) system.push(block);
        return;
      }
      case "user":
        pushTurn(turns, "user", contentBlocks(message.content, loc));
        return;
      case "assistant":
        pushTurn(turns, "assistant", assistantBlocks(message, i));
        return;
      case "tool": {
        const text = plainText(message.content);
        const result: Block = { type: "tool_result", tool_use_id: anthropicToolId(message.tool_call_id) };
        // An empty result is sent without content: an empty text block would be refused.
        if (textBlock(text) !== undefined) result.content = text;
        pushTurn(turns, "user", [result]);
        return;
      }
      case "function":
        throw untranslatable(
          VENDOR,
          loc,
          "unsupported_message",
          'deprecated "function" messages are not supported; use tool messages',
        );
    }
  });
  for (const turn of turns) {
    if (turn.role === "user") turn.parts = resultsFirst(turn.parts, (b) => b.type === "tool_result");
  }
  trimPrefill(turns);
  return { system, messages: turns.map((t) => ({ role: t.role, content: t.parts })) };
}

function assistantBlocks(message: Extract<ChatMessage, { role: "assistant" }>, i: number): Block[] {
  // Text that only accompanies tool calls is often "" — never sent as an empty block.
  const blocks = message.content == null ? [] : contentBlocks(message.content, ["messages", i]);
  message.tool_calls?.forEach((call, k) => {
    blocks.push({
      type: "tool_use",
      id: anthropicToolId(call.id),
      name: call.function.name,
      input: parseToolArguments(call.function.arguments, VENDOR, [
        "messages",
        i,
        "tool_calls",
        k,
        "function",
        "arguments",
      ]),
    });
  });
  return blocks;
}

/** A conversation ending in an assistant turn is a prefill; the API refuses trailing whitespace there. */
function trimPrefill(turns: Turn<"user" | "assistant", Block>[]): void {
  const last = turns[turns.length - 1];
  if (last === undefined || last.role !== "assistant") return;
  const block = last.parts[last.parts.length - 1];
  if (block?.type !== "text") return;
  const trimmed = String(block.text).trimEnd();
  if (trimmed === "") last.parts.pop();
  else block.text = trimmed;
  if (last.parts.length === 0) turns.pop();
}
