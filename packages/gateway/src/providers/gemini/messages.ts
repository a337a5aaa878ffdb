import type { ChatMessage } from "../../pipeline/chat-request.js";
import { plainText } from "../translate/content.js";
import { untranslatable } from "../translate/invalid.js";
import { parseToolArguments } from "../translate/tool-arguments.js";
import { pushTurn, resultsFirst, type Turn } from "../translate/turns.js";
import { type ContentContext, contentParts, type Part } from "./content.js";
import { decodeCallId } from "./tool-call-id.js";

const VENDOR = "Gemini";

/** Google's documented stand-in for a lost signature (reference §4.4 item 6). */
export const SKIP_SIGNATURE = "skip_thought_signature_validator";

export interface GeminiModelTraits {
  /** Gemini 3 and later refuse replayed function calls without their thought signature. */
  requiresSignatures: boolean;
  /** Gemma models on this API take no systemInstruction. */
  systemInstruction: boolean;
}

export function geminiModelTraits(model: string): GeminiModelTraits {
  const version = /^gemini-(\d+)/.exec(model);
  return {
    requiresSignatures: version !== null && Number(version[1]) >= 3,
    systemInstruction: !model.startsWith("gemma-"),
  };
}

export interface GeminiConversation {
  systemInstruction?: { parts: Part[] };
  contents: { role: "user" | "model"; parts: Part[] }[];
}

/**
 * OpenAI messages → Gemini `systemInstruction` + `contents` (reference §4.1, §4.4 items 2, 3, 5, 6, 17):
 * system and developer messages are hoisted, assistant tool calls become `functionCall` parts with their
 * thought signature restored from the tool-call id, tool messages become `functionResponse` parts named
 * after their call (OpenAI tool messages carry only the id), and same-role turns merge.
 */
export async function toGeminiConversation(
  messages: readonly ChatMessage[],
  traits: GeminiModelTraits,
  ctx: ContentContext,
): Promise<GeminiConversation> {
  const names = callNames(messages);
  const converted = await Promise.all(messages.map((message, i) => convert(message, i, names, ctx)));
  const system: Part[] = [];
  const turns: Turn<"user" | "model", Part>[] = [];
  for (const item of converted) {
    if (item.role === "system") system.push(...item.parts);
    else pushTurn(turns, item.role, item.parts);
  }
  for (const turn of turns) {
    if (turn.role === "user") turn.parts = resultsFirst(turn.parts, (p) => p.functionResponse !== undefined);
    else if (traits.requiresSignatures) signFirstCall(turn.parts);
  }
  const conversation: GeminiConversation = { contents: turns.map((t) => ({ role: t.role, parts: t.parts })) };
  if (system.length > 0) {
    if (traits.systemInstruction) conversation.systemInstruction = { parts: system };
    else prependToFirstUserTurn(conversation, system);
  }
  return conversation;
}

type Converted = { role: "system" | "user" | "model"; parts: Part[] };

async function convert(
  message: ChatMessage,
  i: number,
  names: ReadonlyMap<string, string>,
  ctx: ContentContext,
): Promise<Converted> {
  const loc = ["messages", i];
  switch (message.role) {
    case "system":
    case "developer":
      return { role: "system", parts: await contentParts(message.content, loc, ctx) };
    case "user":
      return { role: "user", parts: await contentParts(message.content, loc, ctx) };
    case "assistant": {
      const parts = message.content == null ? [] : await contentParts(message.content, loc, ctx);
      message.tool_calls?.forEach((call, k) => {
        const memo = decodeCallId(call.id);
        const functionCall: Part = {
          name: call.function.name,
          args: parseToolArguments(call.function.arguments, VENDOR, [
            ...loc,
            "tool_calls",
            k,
            "function",
            "arguments",
          ]),
        };
        // Only ids Gemini itself sent are echoed (reference §4.4 item 5).
        if (memo.geminiId !== undefined) functionCall.id = memo.geminiId;
        const part: Part = { functionCall };
        if (memo.signature !== undefined) part.thoughtSignature = memo.signature;
        parts.push(part);
      });
      return { role: "model", parts };
    }
    case "tool": {
      const name = names.get(message.tool_call_id);
      if (name === undefined) {
        throw untranslatable(
          VENDOR,
          [...loc, "tool_call_id"],
          "unknown_tool_call",
          `no earlier assistant message has a tool call with id "${message.tool_call_id}", and Gemini needs its function name`,
        );
      }
      const functionResponse: Part = { name, response: { output: plainText(message.content) } };
      const geminiId = decodeCallId(message.tool_call_id).geminiId;
      if (geminiId !== undefined) functionResponse.id = geminiId;
      return { role: "user", parts: [{ functionResponse }] };
    }
    case "function":
      throw untranslatable(
        VENDOR,
        loc,
        "unsupported_message",
        'deprecated "function" messages are not supported; use tool messages',
      );
  }
}

/** tool_call_id → function name, from the assistant messages of the request. */
function callNames(messages: readonly ChatMessage[]): Map<string, string> {
  const names = new Map<string, string>();
  for (const message of messages) {
    if (message.role !== "assistant") continue;
    for (const call of message.tool_calls ?? []) names.set(call.id, call.function.name);
  }
  return names;
}

/**
 * Gemini 3 wants the first function call of each model turn signed; a call whose id carries no
 * signature (it came from another vendor, or the client made it up) gets the documented skip value.
 */
function signFirstCall(parts: Part[]): void {
  const first = parts.find((p) => p.functionCall !== undefined);
  if (first !== undefined && typeof first.thoughtSignature !== "string")
    first.thoughtSignature = SKIP_SIGNATURE;
}

function prependToFirstUserTurn(conversation: GeminiConversation, system: Part[]): void {
  const firstUser = conversation.contents.find((c) => c.role === "user");
  if (firstUser) firstUser.parts.unshift(...system);
  else conversation.contents.unshift({ role: "user", parts: system });
}
