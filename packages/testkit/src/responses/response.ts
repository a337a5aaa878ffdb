/** The Response object and its event stream (`POST /v1/responses`), from the planner's reply. */
import { newId } from "../ids.js";
import type { Reply } from "../scenario.js";
import { type StreamScript, splitArguments } from "../stream.js";

type Obj = Record<string, unknown>;

function usage(reply: Reply): Obj {
  return {
    input_tokens: reply.promptTokens,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: reply.completionTokens,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: reply.promptTokens + reply.completionTokens,
  };
}

/** The output items of a finished reply, with their ids. */
function outputItems(reply: Reply): Obj[] {
  if (reply.kind === "text") {
    return [
      {
        id: newId("msg_"),
        type: "message",
        status: "completed",
        role: "assistant",
        content: [{ type: "output_text", text: reply.text, annotations: [], logprobs: [] }],
      },
    ];
  }
  return reply.calls.map((call) => ({
    id: newId("fc_"),
    type: "function_call",
    status: "completed",
    call_id: newId("call_"),
    name: call.name,
    arguments: call.argsJson,
  }));
}

function responseShell(id: string, model: string, echo: Obj, created: number): Obj {
  return {
    id,
    object: "response",
    created_at: created,
    status: "in_progress",
    error: null,
    incomplete_details: null,
    model,
    output: [],
    usage: null,
    ...echo,
  };
}

function finished(shell: Obj, reply: Reply, output: Obj[], withUsage: boolean): Obj {
  const cut = reply.kind === "text" && reply.truncated;
  return {
    ...shell,
    status: cut ? "incomplete" : "completed",
    incomplete_details: cut ? { reason: "max_output_tokens" } : null,
    output,
    usage: withUsage ? usage(reply) : null,
  };
}

export function responseObject(model: string, reply: Reply, echo: Obj, withUsage: boolean): Obj {
  const shell = responseShell(newId("resp_"), model, echo, Math.floor(Date.now() / 1000));
  return finished(shell, reply, outputItems(reply), withUsage);
}

/** The Responses event stream: every event named by its type and numbered by `sequence_number`. */
export function responsesStreamScript(
  model: string,
  reply: Reply,
  echo: Obj,
  withUsage: boolean,
): StreamScript {
  const shell = responseShell(newId("resp_"), model, echo, Math.floor(Date.now() / 1000));
  const events: string[] = [];
  let seq = 0;
  const emit = (type: string, data: Obj) =>
    events.push(`event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: seq++, ...data })}\n\n`);
  emit("response.created", { response: shell });
  emit("response.in_progress", { response: shell });
  const items = outputItems(reply);
  let defaultErrorAt = 3;
  for (const [index, item] of items.entries()) {
    const where = { item_id: item.id, output_index: index };
    if (item.type === "message" && reply.kind === "text") {
      emit("response.output_item.added", {
        output_index: index,
        item: { ...item, status: "in_progress", content: [] },
      });
      emit("response.content_part.added", {
        ...where,
        content_index: 0,
        part: { type: "output_text", text: "", annotations: [] },
      });
      defaultErrorAt = events.length + 1;
      for (const word of reply.words) {
        emit("response.output_text.delta", { ...where, content_index: 0, delta: word, logprobs: [] });
      }
      emit("response.output_text.done", { ...where, content_index: 0, text: reply.text, logprobs: [] });
      emit("response.content_part.done", { ...where, content_index: 0, part: (item.content as Obj[])[0] });
    } else {
      emit("response.output_item.added", {
        output_index: index,
        item: { ...item, status: "in_progress", arguments: "" },
      });
      for (const part of splitArguments(String(item.arguments))) {
        emit("response.function_call_arguments.delta", { ...where, delta: part });
      }
      emit("response.function_call_arguments.done", { ...where, name: item.name, arguments: item.arguments });
    }
    emit("response.output_item.done", { output_index: index, item });
  }
  const done = finished(shell, reply, items, withUsage);
  emit(done.status === "incomplete" ? "response.incomplete" : "response.completed", { response: done });
  return {
    events,
    done: null,
    malformed: "event: response.output_text.delta\ndata: {not json\n\n",
    error: `event: error\ndata: ${JSON.stringify({
      type: "error",
      sequence_number: seq,
      code: "server_error",
      message: "The server had an error while processing your request. (simulated)",
      param: null,
    })}\n\n`,
    defaultErrorAt,
  };
}
