/**
 * Anthropic SSE scripts with named events in the API's order (reference §2.5): message_start,
 * per block content_block_start → deltas → content_block_stop (a ping after the first start),
 * message_delta with cumulative usage, message_stop. No terminator.
 */
import type { Reply } from "../scenario.js";
import { type StreamScript, splitArguments } from "../stream.js";
import { anthropicUsage, messageShell, stopReason, toolUseBlocks } from "./response.js";

const event = (name: string, data: unknown): string => `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;

const MALFORMED = "event: content_block_delta\ndata: {not json\n\n";
const STREAM_ERROR = event("error", {
  type: "error",
  error: { type: "overloaded_error", message: "Overloaded" },
});

export function anthropicStreamScript(model: string, reply: Reply): StreamScript {
  const message = messageShell(model);
  // message_start carries the input counts and a token of output, as the API does.
  message.usage = anthropicUsage(reply.promptTokens, 1);
  const events: string[] = [event("message_start", { type: "message_start", message })];
  const ping = event("ping", { type: "ping" });
  if (reply.kind === "text") {
    events.push(
      event("content_block_start", {
        type: "content_block_start",
        index: 0,
        content_block: { type: "text", text: "", citations: null },
      }),
      ping,
    );
    for (const word of reply.words) {
      events.push(
        `event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":${JSON.stringify(word)}}}\n\n`,
      );
    }
    events.push(event("content_block_stop", { type: "content_block_stop", index: 0 }));
  } else {
    toolUseBlocks(reply).forEach((block, index) => {
      events.push(
        event("content_block_start", {
          type: "content_block_start",
          index,
          content_block: { ...block, input: {} },
        }),
      );
      if (index === 0) events.push(ping);
      // The first fragment is empty, as the API sends it; the rest concatenate into the input.
      for (const partial of ["", ...splitArguments(JSON.stringify(block.input))]) {
        events.push(
          event("content_block_delta", {
            type: "content_block_delta",
            index,
            delta: { type: "input_json_delta", partial_json: partial },
          }),
        );
      }
      events.push(event("content_block_stop", { type: "content_block_stop", index }));
    });
  }
  events.push(
    event("message_delta", {
      type: "message_delta",
      delta: { stop_reason: stopReason(reply), stop_sequence: null, stop_details: null },
      usage: {
        input_tokens: reply.promptTokens,
        output_tokens: reply.completionTokens,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
        server_tool_use: null,
      },
    }),
    event("message_stop", { type: "message_stop" }),
  );
  // After message_start, content_block_start, ping and the first delta.
  return { events, done: null, malformed: MALFORMED, error: STREAM_ERROR, defaultErrorAt: 4 };
}
