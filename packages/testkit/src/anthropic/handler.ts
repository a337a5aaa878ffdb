/** `POST /v1/messages`: the Anthropic Messages wire format. */
import { parseDirectives, withStanding } from "../directives.js";
import type { Exchange } from "../exchange.js";
import { preflight, sendBody } from "../faults.js";
import { isObject, planReply } from "../scenario.js";
import { playStream } from "../stream.js";
import { anthropicRequestId, sendAnthropicError } from "./errors.js";
import { readAnthropicRequest } from "./request.js";
import { anthropicMessage } from "./response.js";
import { anthropicStreamScript } from "./stream.js";
import { validateMessagesRequest } from "./validate.js";

/**
 * The classic API takes `x-api-key`; API version 2026-10-21 SDKs send the same key as
 * `Authorization: Bearer`. Both are accepted.
 */
function authorised(ex: Exchange, expectedKey: string | undefined): boolean {
  const headers = ex.req.headers;
  let key = typeof headers["x-api-key"] === "string" ? headers["x-api-key"].trim() : "";
  const authorization = headers.authorization;
  if (key === "" && typeof authorization === "string" && authorization.startsWith("Bearer ")) {
    key = authorization.slice(7).trim();
  }
  if (key === "") {
    sendAnthropicError(ex, 401, "x-api-key header is required");
    return false;
  }
  if (expectedKey !== undefined && key !== expectedKey) {
    sendAnthropicError(ex, 401, "invalid x-api-key");
    return false;
  }
  return true;
}

export async function handleMessages(ex: Exchange, expectedKey: string | undefined): Promise<void> {
  if (!authorised(ex, expectedKey)) return;
  if (typeof ex.req.headers["anthropic-version"] !== "string") {
    sendAnthropicError(ex, 400, "anthropic-version: header is required");
    return;
  }
  if (!isObject(ex.body)) {
    sendAnthropicError(
      ex,
      400,
      ex.body === undefined ? "There was an error parsing the body as JSON" : "Field required",
    );
    return;
  }
  const problem = validateMessagesRequest(ex.body);
  if (problem !== null) {
    sendAnthropicError(ex, 400, problem);
    return;
  }
  const request = readAnthropicRequest(ex.body);
  if (request.model.includes("unknown")) {
    sendAnthropicError(ex, 404, `model: ${request.model}`);
    return;
  }
  const directives = parseDirectives(withStanding(request.conversation.userText, ex.standing));
  if (!directives.ok) {
    sendAnthropicError(ex, 400, directives.message);
    return;
  }
  const d = directives.directives;
  if (!(await preflight(ex, d, sendAnthropicError, request.stream))) return;
  const reply = planReply(request.conversation, directives.text, d);
  const requestId = anthropicRequestId();
  if (request.stream) {
    const headers = {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache",
      connection: "keep-alive",
      "request-id": requestId,
    };
    await playStream(ex, headers, anthropicStreamScript(request.model, reply), d);
    return;
  }
  await sendBody(ex, { "request-id": requestId }, JSON.stringify(anthropicMessage(request.model, reply)), d);
}
