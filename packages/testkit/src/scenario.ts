/**
 * The deterministic "model": every wire format reduces its request to a `Conversation`, and
 * this module decides the reply (text or tool calls) and the token counts. Keeping the rules in
 * one place is what makes the three simulators answer the same question the same way.
 */
import type { Directives } from "./directives.js";

/** A tool as the planner needs it: a name and its JSON-schema-like parameters. */
export interface ToolSpec {
  name: string;
  parameters: unknown;
}

export type ToolChoice =
  | { mode: "auto" }
  | { mode: "none" }
  | { mode: "required" }
  | { mode: "named"; name: string };

export interface Conversation {
  /** Text of the last user turn, directives still included. */
  userText: string;
  /** How the conversation ends: a user turn, a batch of tool results, or anything else (prefill). */
  ending: "user" | "tool_results" | "other";
  /** Tool-result contents of the final turn, in order (when `ending` is "tool_results"). */
  toolResults: string[];
  /** Characters of all message text, for the prompt token estimate. */
  promptChars: number;
  tools: ToolSpec[];
  toolChoice: ToolChoice;
  /** Output cap in tokens (= words here); null when the request sets none. */
  maxTokens: number | null;
}

export interface ToolCallPlan {
  name: string;
  args: Record<string, unknown>;
  /** `JSON.stringify(args)`, computed once: it is both the wire value and the token basis. */
  argsJson: string;
}

export interface Usage {
  promptTokens: number;
  completionTokens: number;
}

export type Reply =
  | ({ kind: "text"; text: string; words: string[]; truncated: boolean } & Usage)
  | ({ kind: "tools"; calls: ToolCallPlan[] } & Usage);

export const CAPITAL_QUESTION = "capital of France";
export const CAPITAL_ANSWER = "The capital of France is Paris.";

const WORD_RE = /\S+\s*/g;

/** Splits a reply into stream deltas: one per word, each keeping its following whitespace. */
export function splitWords(text: string): string[] {
  return text.match(WORD_RE) ?? [];
}

/**
 * Decides the reply. `cleanText` is the user text with directives removed.
 *
 * @example planReply(conv, "What is the capital of France?", NO_DIRECTIVES).text // "The capital of France is Paris."
 */
export function planReply(conv: Conversation, cleanText: string, directives: Directives): Reply {
  const promptTokens = Math.ceil(conv.promptChars / 4);
  if (conv.ending === "user" && conv.tools.length > 0 && conv.toolChoice.mode !== "none") {
    const calls = planToolCalls(conv, cleanText, directives.parallel ?? 1);
    let argChars = 0;
    for (const call of calls) argChars += call.argsJson.length;
    return { kind: "tools", calls, promptTokens, completionTokens: Math.ceil(argChars / 4) };
  }
  const full = replyText(conv, cleanText, directives);
  let words = splitWords(full);
  let text = full;
  let truncated = false;
  if (conv.maxTokens !== null && words.length > conv.maxTokens) {
    words = words.slice(0, conv.maxTokens);
    const last = words.length - 1;
    if (last >= 0) words[last] = (words[last] as string).trimEnd();
    text = words.join("");
    truncated = true;
  }
  return { kind: "text", text, words, truncated, promptTokens, completionTokens: words.length };
}

function replyText(conv: Conversation, cleanText: string, directives: Directives): string {
  if (conv.ending === "tool_results") return `Tool results: ${conv.toolResults.join("; ")}`;
  if (directives.words !== undefined) {
    const out: string[] = [];
    for (let i = 1; i <= directives.words; i++) out.push(`w${i}`);
    return out.join(" ");
  }
  if (cleanText.includes(CAPITAL_QUESTION)) return CAPITAL_ANSWER;
  return `You said: ${cleanText}`;
}

function planToolCalls(conv: Conversation, cleanText: string, count: number): ToolCallPlan[] {
  const choice = conv.toolChoice;
  const named = choice.mode === "named" ? choice.name : null;
  const subject = lastCapitalisedWord(cleanText);
  const calls: ToolCallPlan[] = [];
  for (let i = 0; i < Math.max(1, count); i++) {
    // Named choice: that tool every time; otherwise walk the list (first N tools, or the
    // first tool N times when there is only one).
    const tool =
      named !== null ? findTool(conv.tools, named) : (conv.tools[i % conv.tools.length] as ToolSpec);
    const args = buildArgs(tool.parameters, subject);
    calls.push({ name: tool.name, args, argsJson: JSON.stringify(args) });
  }
  return calls;
}

function findTool(tools: ToolSpec[], name: string): ToolSpec {
  return tools.find((t) => t.name === name) ?? { name, parameters: undefined };
}

/** Arguments from the schema's required properties: string → subject, number → 1, boolean → true. */
export function buildArgs(schema: unknown, subject: string): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  if (!isObject(schema) || !Array.isArray(schema.required)) return args;
  const props = isObject(schema.properties) ? schema.properties : {};
  for (const key of schema.required) {
    if (typeof key !== "string") continue;
    args[key] = valueFor(props[key], subject);
  }
  return args;
}

function valueFor(prop: unknown, subject: string): unknown {
  if (!isObject(prop)) return null;
  let type = prop.type;
  if (Array.isArray(type)) type = type.find((t) => typeof t === "string" && t.toLowerCase() !== "null");
  if (typeof type !== "string") return null;
  switch (type.toLowerCase()) {
    case "string":
      return subject;
    case "number":
    case "integer":
      return 1;
    case "boolean":
      return true;
    default:
      return null;
  }
}

/** "What's the weather in Paris?" → "Paris" (falls back to the last word). */
export function lastCapitalisedWord(text: string): string {
  let fallback = "";
  const parts = text.split(/\s+/);
  for (let i = parts.length - 1; i >= 0; i--) {
    const word = (parts[i] as string).replace(/[^\p{L}\p{N}_-]/gu, "");
    if (word === "") continue;
    if (/^\p{Lu}/u.test(word)) return word;
    if (fallback === "") fallback = word;
  }
  return fallback;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
