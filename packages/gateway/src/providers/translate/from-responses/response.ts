import type { ResponsesRequest } from "../../../pipeline/responses-request.js";
import type { ChatCompletion, Usage } from "../../openai-types.js";

type Obj = Record<string, unknown>;

/** Responses `usage` for a chat usage object; MeshAPI's `cost` and `estimated` kept. */
export function responsesUsage(usage: Usage): Obj {
  const out: Obj = {
    input_tokens: usage.prompt_tokens,
    input_tokens_details: { cached_tokens: usage.prompt_tokens_details?.cached_tokens ?? 0 },
    output_tokens: usage.completion_tokens,
    output_tokens_details: { reasoning_tokens: usage.completion_tokens_details?.reasoning_tokens ?? 0 },
    total_tokens: usage.prompt_tokens + usage.completion_tokens,
  };
  if (usage.cost !== undefined) out.cost = usage.cost;
  if (usage.estimated) out.estimated = true;
  return out;
}

/** The message item of a text answer. */
export function messageItem(id: string, text: string, status: "in_progress" | "completed"): Obj {
  return {
    type: "message",
    id,
    status,
    role: "assistant",
    content: status === "completed" ? [{ type: "output_text", text, annotations: [] }] : [],
  };
}

/** The function_call item of a tool call. */
export function functionCallItem(
  id: string,
  callId: string,
  name: string,
  args: string,
  status: string,
): Obj {
  return { type: "function_call", id, call_id: callId, name, arguments: args, status };
}

/**
 * The Response object around `output`: the request's settings echoed as OpenAI echoes them, and the
 * status (`incomplete` with `max_output_tokens` when the answer was cut by the token limit).
 */
export function responseObject(
  req: ResponsesRequest,
  shape: {
    id: string;
    createdAt: number;
    model: string;
    output: Obj[];
    finish: string | null;
    usage: Usage | null;
  },
): Obj {
  const done = shape.usage !== null;
  const cut = shape.finish === "length";
  return {
    id: shape.id,
    object: "response",
    created_at: shape.createdAt,
    status: !done ? "in_progress" : cut ? "incomplete" : "completed",
    error: null,
    incomplete_details: done && cut ? { reason: "max_output_tokens" } : null,
    instructions: req.instructions ?? null,
    max_output_tokens: req.max_output_tokens ?? null,
    model: shape.model,
    output: shape.output,
    parallel_tool_calls: req.parallel_tool_calls ?? true,
    previous_response_id: null,
    temperature: req.temperature ?? null,
    text: req.text ?? { format: { type: "text" } },
    tool_choice: req.tool_choice ?? "auto",
    tools: req.tools ?? [],
    top_p: req.top_p ?? null,
    store: false,
    metadata: req.metadata ?? {},
    usage: shape.usage ? responsesUsage(shape.usage) : null,
    user: req.user ?? null,
  };
}

/** A chat completion (first choice) as a Response. */
export function toResponse(req: ResponsesRequest, completion: ChatCompletion, usage: Usage): Obj {
  const choice = completion.choices[0];
  const base = completion.id.replace(/^chatcmpl-/, "");
  const output: Obj[] = [];
  const text = choice?.message.content;
  if (typeof text === "string" && text !== "") output.push(messageItem(`msg_${base}`, text, "completed"));
  for (const [i, call] of (choice?.message.tool_calls ?? []).entries()) {
    output.push(
      functionCallItem(`fc_${base}_${i}`, call.id, call.function.name, call.function.arguments, "completed"),
    );
  }
  return responseObject(req, {
    id: `resp_${base}`,
    createdAt: completion.created,
    model: completion.model,
    output,
    finish: choice?.finish_reason ?? null,
    usage,
  });
}
