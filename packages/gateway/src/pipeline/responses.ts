import type { GatewayConfig } from "../config/config.js";
import type { RouteResult, StreamingExchange } from "../http/routes/governed-route.js";
import { worstCaseNanos } from "../limits/reservation.js";
import type { OpenAIResponsesPassThrough } from "../providers/openai-responses/passthrough.js";
import { toChatFromResponses } from "../providers/translate/from-responses/request.js";
import { toResponse } from "../providers/translate/from-responses/response.js";
import { ResponsesEventWriter } from "../providers/translate/from-responses/stream.js";
import type { Deployment } from "../routing/deployments.js";
import { type GovernedDeps, governed } from "./governed.js";
import { completeResponsesPassThrough, streamResponsesPassThrough } from "./responses-passthrough.js";
import { type ResponsesRequest, responsesRequestSchema } from "./responses-request.js";
import { narrow, routeOne } from "./routed-call.js";
import { completeTranslated, streamTranslated, type TranslatedDeps } from "./translated-chat.js";
import { validateChatRequest } from "./validate.js";
import { validateBody } from "./validate-body.js";

export interface ResponsesDeps extends GovernedDeps, TranslatedDeps {
  config: GatewayConfig;
  /** OpenAI's Responses API, called as is for `openai/*` models. */
  openaiResponsesPassThrough: OpenAIResponsesPassThrough;
}

/**
 * The OpenAI Responses pipeline, top to bottom: validate → resolve the route → translate onto a chat
 * request → admit (rate limits, spend reservation) → call the provider → translate the answer back
 * (a Response object, or the Responses event stream); `governed` accounts and settles.
 */
export function handleResponses(deps: ResponsesDeps, ex: StreamingExchange): Promise<RouteResult> {
  return governed(deps, ex, async ({ acct, admit }) => {
    const request = validateBody(responsesRequestSchema, ex.body);
    const publicModel = request.model ?? deps.config.defaultModel;
    acct.describe({
      model: publicModel,
      session_id: request.session_id,
      user: request.user,
      stream: request.stream,
    });
    const route = routeOne(deps, ex.key, publicModel);
    const prices = () => route.deployments.map((d) => d.price);
    if (isOpenAI(route.deployments[0] as Deployment)) {
      // OpenAI itself speaks this API: pass through (to the name's OpenAI deployments), so stored state
      // and built-in tools keep working.
      const reserveAs = validateChatRequest(toReservation(request, publicModel));
      await admit(() => worstCaseNanos(reserveAs, prices(), deps.governance.defaultReservationTokens));
      const passThrough = { ...deps, responses: deps.openaiResponsesPassThrough };
      const openai = narrow(route, isOpenAI);
      return request.stream
        ? streamResponsesPassThrough(passThrough, ex, acct, openai, request)
        : completeResponsesPassThrough(passThrough, ex, acct, openai, request);
    }
    const chat = validateChatRequest(toChatFromResponses(request, publicModel));
    await admit(() => worstCaseNanos(chat, prices(), deps.governance.defaultReservationTokens));
    if (request.stream) {
      const writer = new ResponsesEventWriter(request, publicModel);
      return streamTranslated(deps, ex, acct, route, chat, {
        events: (chunk) => writer.push(chunk),
        error: (failure) => writer.error(failure.code, failure.message, failure.param ?? null),
      });
    }
    const { completion, usage } = await completeTranslated(deps, ex, acct, route, chat);
    return { kind: "json", body: toResponse(request, completion, usage) };
  });
}

const isOpenAI = (d: Deployment) => d.provider.name === "openai";

/**
 * A pass-through request's stand-in for the reservation estimate: the input items and tools as text
 * (their JSON errs high, as a reservation should), the instructions and max_output_tokens.
 */
function toReservation(request: ResponsesRequest, model: string): Record<string, unknown> {
  const parts: string[] = [typeof request.input === "string" ? request.input : JSON.stringify(request.input)];
  if (request.tools?.length) parts.push(JSON.stringify(request.tools));
  const messages = [{ role: "user", content: parts.join("\n") }];
  if (request.instructions) messages.unshift({ role: "system", content: request.instructions });
  const reservation: Record<string, unknown> = { model, messages };
  if (request.max_output_tokens != null) reservation.max_tokens = request.max_output_tokens;
  return reservation;
}
