/**
 * OpenAI SSE scripts (reference §1.5). Chunks share one id/created/model, so the common JSON
 * prefix is serialised once per stream and each event only adds its choice.
 */
import { newId } from "../ids.js";
import type { Reply } from "../scenario.js";
import { type StreamScript, splitArguments } from "../stream.js";
import { finishReason, openaiUsage, SYSTEM_FINGERPRINT, wireToolCalls } from "./response.js";

export interface OpenAIStreamOptions {
  /** `stream_options.include_usage`: a final `choices: []` chunk; earlier chunks carry `usage: null`. */
  includeUsage: boolean;
  /** Fireworks style: usage on the finish_reason chunk instead. */
  usageOnFinish: boolean;
  /** `no_usage`: never report usage. */
  noUsage: boolean;
}

export const DONE = "data: [DONE]\n\n";
const MALFORMED = "data: {not json\n\n";
const STREAM_ERROR = `data: ${JSON.stringify({
  error: {
    message: "The server had an error while processing your request. (simulated)",
    type: "server_error",
    param: null,
    code: null,
  },
})}\n\n`;

export function openaiStreamScript(model: string, reply: Reply, opts: OpenAIStreamOptions): StreamScript {
  const head = `data: {"id":"${newId("chatcmpl-")}","object":"chat.completion.chunk","created":${Math.floor(
    Date.now() / 1000,
  )},"model":${JSON.stringify(model)},"service_tier":"default","system_fingerprint":"${SYSTEM_FINGERPRINT}","choices":[`;
  const tail = opts.includeUsage ? '],"usage":null}\n\n' : "]}\n\n";
  const chunk = (delta: unknown, finish: string | null = null): string =>
    `${head}{"index":0,"delta":${JSON.stringify(delta)},"logprobs":null,"finish_reason":${
      finish === null ? "null" : `"${finish}"`
    }}${tail}`;

  const events: string[] = [];
  if (reply.kind === "text") {
    events.push(chunk({ role: "assistant", content: "", refusal: null }));
    for (const word of reply.words) {
      events.push(
        `${head}{"index":0,"delta":{"content":${JSON.stringify(word)}},"logprobs":null,"finish_reason":null}${tail}`,
      );
    }
  } else {
    const calls = wireToolCalls(reply.calls);
    calls.forEach((call, index) => {
      const opening = [
        { index, id: call.id, type: "function", function: { name: call.function.name, arguments: "" } },
      ];
      events.push(
        index === 0
          ? chunk({ role: "assistant", content: null, tool_calls: opening, refusal: null })
          : chunk({ tool_calls: opening }),
      );
      for (const piece of splitArguments(call.function.arguments)) {
        events.push(chunk({ tool_calls: [{ index, function: { arguments: piece } }] }));
      }
    });
  }

  const usage = opts.noUsage ? null : JSON.stringify(openaiUsage(reply));
  const finishChoice = `{"index":0,"delta":{},"logprobs":null,"finish_reason":"${finishReason(reply)}"}`;
  if (usage !== null && opts.usageOnFinish) {
    events.push(`${head}${finishChoice}],"usage":${usage}}\n\n`);
  } else {
    events.push(`${head}${finishChoice}${tail}`);
    if (usage !== null && opts.includeUsage) events.push(`${head}],"usage":${usage}}\n\n`);
  }
  return { events, done: DONE, malformed: MALFORMED, error: STREAM_ERROR, defaultErrorAt: 2 };
}
