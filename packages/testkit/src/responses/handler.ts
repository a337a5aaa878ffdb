/** `POST /v1/responses`: OpenAI's Responses API (text, function tools, streaming events). */
import { parseDirectives, withStanding } from "../directives.js";
import type { Exchange } from "../exchange.js";
import { preflight, sendBody } from "../faults.js";
import { sendOpenAIError } from "../openai/errors.js";
import { authorised } from "../openai/handler.js";
import { planReply } from "../scenario.js";
import { playStream } from "../stream.js";
import { parseResponsesRequest } from "./request.js";
import { responseObject, responsesStreamScript } from "./response.js";

export async function handleResponses(ex: Exchange, expectedKey: string | undefined): Promise<void> {
  if (!authorised(ex, expectedKey)) return;
  const parsed = parseResponsesRequest(ex.body);
  if (!parsed.ok) {
    sendOpenAIError(ex, 400, parsed.message, undefined, { param: parsed.param || null });
    return;
  }
  const { call } = parsed;
  if (call.model.includes("unknown")) {
    sendOpenAIError(
      ex,
      404,
      `The model '${call.model}' does not exist or you do not have access to it.`,
      undefined,
      {
        code: "model_not_found",
      },
    );
    return;
  }
  const directives = parseDirectives(withStanding(call.conversation.userText, ex.standing));
  if (!directives.ok) {
    sendOpenAIError(ex, 400, directives.message, undefined, { param: "input" });
    return;
  }
  const d = directives.directives;
  if (!(await preflight(ex, d, sendOpenAIError, call.stream))) return;
  const reply = planReply(call.conversation, directives.text, d);
  if (!call.stream) {
    await sendBody(ex, {}, JSON.stringify(responseObject(call.model, reply, call.echo, !d.noUsage)), d);
    return;
  }
  const headers = {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache",
    connection: "keep-alive",
  };
  await playStream(ex, headers, responsesStreamScript(call.model, reply, call.echo, !d.noUsage), d);
}
