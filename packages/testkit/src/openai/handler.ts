/** Route handlers for the OpenAI wire format: `POST /v1/chat/completions`, `GET /v1/models[/{id}]`. */
import { parseDirectives, withStanding } from "../directives.js";
import type { Exchange } from "../exchange.js";
import { preflight, sendBody } from "../faults.js";
import { newId } from "../ids.js";
import { planReply } from "../scenario.js";
import { playStream } from "../stream.js";
import { sendOpenAIError } from "./errors.js";
import { parseOpenAIRequest } from "./request.js";
import { chatCompletion } from "./response.js";
import { openaiStreamScript } from "./stream.js";

/** Checks `Authorization: Bearer <key>`; sends the 401 itself and returns false on failure. */
export function authorised(ex: Exchange, expectedKey: string | undefined): boolean {
  const header = ex.req.headers.authorization;
  const key = typeof header === "string" && header.startsWith("Bearer ") ? header.slice(7).trim() : "";
  if (key === "") {
    sendOpenAIError(
      ex,
      401,
      "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
      undefined,
      { code: null },
    );
    return false;
  }
  if (expectedKey !== undefined && key !== expectedKey) {
    sendOpenAIError(ex, 401, `Incorrect API key provided: ${redact(key)}.`);
    return false;
  }
  return true;
}

function redact(key: string): string {
  return key.length <= 8 ? "****" : `${key.slice(0, 3)}****${key.slice(-4)}`;
}

export async function handleChatCompletions(ex: Exchange, expectedKey: string | undefined): Promise<void> {
  if (!authorised(ex, expectedKey)) return;
  if (ex.body === undefined || ex.body === null) {
    sendOpenAIError(
      ex,
      400,
      "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)",
    );
    return;
  }
  const parsed = parseOpenAIRequest(ex.body);
  if (!parsed.ok) {
    sendOpenAIError(ex, 400, parsed.message, undefined, { param: parsed.param || null });
    return;
  }
  const request = parsed.request;
  if (request.model.includes("unknown")) {
    sendOpenAIError(
      ex,
      404,
      `The model \`${request.model}\` does not exist or you do not have access to it.`,
      undefined,
      { code: "model_not_found" },
    );
    return;
  }
  const directives = parseDirectives(withStanding(request.conversation.userText, ex.standing));
  if (!directives.ok) {
    sendOpenAIError(ex, 400, directives.message, undefined, { param: "messages" });
    return;
  }
  const d = directives.directives;
  if (!(await preflight(ex, d, sendOpenAIError, request.stream))) return;
  const reply = planReply(request.conversation, directives.text, d);
  const requestId = `req_${newId("")}`;
  if (!request.stream) {
    await sendBody(
      ex,
      { "x-request-id": requestId },
      JSON.stringify(chatCompletion(request.model, reply, !d.noUsage)),
      d,
    );
    return;
  }
  const script = openaiStreamScript(request.model, reply, {
    includeUsage: request.includeUsage,
    usageOnFinish: d.usageOnFinish,
    noUsage: d.noUsage,
  });
  await playStream(ex, sseHeaders(requestId), script, d);
}

function sseHeaders(requestId: string): Record<string, string> {
  return {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache",
    connection: "keep-alive",
    "x-request-id": requestId,
  };
}

const MODEL_IDS = [
  "gpt-4o-mini",
  "gpt-4o",
  "gpt-4.1",
  "gpt-4.1-mini",
  "gpt-5-mini",
  "o4-mini",
  "text-embedding-3-small",
];
const MODEL_CREATED = 1_715_367_049;

function modelObject(id: string): Record<string, unknown> {
  return { id, object: "model", created: MODEL_CREATED, owned_by: "system" };
}

/** `GET /v1/models` and `GET /v1/models/{id}` (ids containing "unknown" are 404). */
export function handleOpenAIModels(ex: Exchange, expectedKey: string | undefined, id: string | null): void {
  if (!authorised(ex, expectedKey)) return;
  if (id === null) {
    ex.json(200, { object: "list", data: MODEL_IDS.map(modelObject) });
    return;
  }
  if (id.includes("unknown")) {
    sendOpenAIError(ex, 404, `The model '${id}' does not exist`, undefined, {
      code: "model_not_found",
      param: "model",
    });
    return;
  }
  ex.json(200, modelObject(id));
}
