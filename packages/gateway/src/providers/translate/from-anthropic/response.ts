import type { ChatCompletion, Usage } from "../../openai-types.js";

type Obj = Record<string, unknown>;

/** Anthropic's `usage` for a chat usage object: uncached input, cache reads and writes apart; MeshAPI's `cost` kept. */
export function anthropicUsage(usage: Usage): Obj {
  const cached = usage.prompt_tokens_details?.cached_tokens ?? 0;
  const written = usage.prompt_tokens_details?.cache_write_tokens ?? 0;
  const out: Obj = {
    input_tokens: Math.max(0, usage.prompt_tokens - cached - written),
    output_tokens: usage.completion_tokens,
    cache_read_input_tokens: cached,
    cache_creation_input_tokens: written,
  };
  if (usage.cost !== undefined) out.cost = usage.cost;
  if (usage.estimated) out.estimated = true;
  return out;
}

/** OpenAI's finish_reason as Anthropic's stop_reason. */
export function stopReason(finish: string | null | undefined): string {
  switch (finish) {
    case "length":
      return "max_tokens";
    case "tool_calls":
    case "function_call":
      return "tool_use";
    case "content_filter":
      return "refusal";
    default:
      return "end_turn";
  }
}

/** A chat completion (first choice) as an Anthropic Message; tool arguments that are not JSON objects become `{}`. */
export function toAnthropicMessage(completion: ChatCompletion, model: string, usage: Usage): Obj {
  const choice = completion.choices[0];
  const content: Obj[] = [];
  const text = choice?.message.content;
  if (typeof text === "string" && text !== "") content.push({ type: "text", text });
  for (const call of choice?.message.tool_calls ?? []) {
    content.push({
      type: "tool_use",
      id: call.id,
      name: call.function.name,
      input: toolInput(call.function.arguments),
    });
  }
  return {
    id: completion.id.startsWith("msg_") ? completion.id : `msg_${completion.id}`,
    type: "message",
    role: "assistant",
    model,
    content,
    stop_reason: stopReason(choice?.finish_reason),
    stop_sequence: null,
    usage: anthropicUsage(usage),
  };
}

export function toolInput(args: string): Obj {
  try {
    const parsed: unknown = JSON.parse(args || "{}");
    return parsed !== null && typeof parsed === "object" && !Array.isArray(parsed) ? (parsed as Obj) : {};
  } catch {
    return {};
  }
}
