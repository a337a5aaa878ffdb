import type { GatewayConfig } from "../config/config.js";
import { toAnthropicEnvelope } from "../http/anthropic-error.js";
import type { RouteResult, StreamingExchange } from "../http/routes/governed-route.js";
import { worstCaseNanos } from "../limits/reservation.js";
import { toChatRequest } from "../providers/translate/from-anthropic/request.js";
import { toAnthropicMessage } from "../providers/translate/from-anthropic/response.js";
import { AnthropicEventWriter } from "../providers/translate/from-anthropic/stream.js";
import type { GovernedDeps } from "./governed.js";
import { governed } from "./governed.js";
import { messagesModel, messagesRequestSchema } from "./messages-request.js";
import { resolveTarget } from "./resolve-route.js";
import { completeTranslated, streamTranslated, type TranslatedDeps } from "./translated-chat.js";
import { validateChatRequest } from "./validate.js";
import { validateBody } from "./validate-body.js";

export interface MessagesDeps extends GovernedDeps, TranslatedDeps {
  config: GatewayConfig;
}

/**
 * The Anthropic Messages pipeline, top to bottom: validate → resolve the route → translate onto a chat
 * request → admit (rate limits, spend reservation) → call the provider → translate the answer back
 * (JSON or Anthropic's named events); `governed` accounts and settles.
 */
export function handleMessages(deps: MessagesDeps, ex: StreamingExchange): Promise<RouteResult> {
  return governed(deps, ex, async ({ acct, admit }) => {
    const request = validateBody(messagesRequestSchema, ex.body);
    const publicModel = messagesModel(request.model);
    acct.describe({
      model: publicModel,
      session_id: request.session_id,
      user: request.metadata?.user_id ?? undefined,
      stream: request.stream,
    });
    const target = resolveTarget(deps.config, publicModel);
    acct.route(target);
    const chat = validateChatRequest(toChatRequest(request, publicModel));
    await admit(() => worstCaseNanos(chat, [target.price], deps.governance.defaultReservationTokens));
    if (request.stream) {
      const writer = new AnthropicEventWriter(request.model);
      return streamTranslated(deps, ex, acct, target, chat, {
        events: (chunk) => writer.push(chunk),
        error: (failure, requestId) => ({ event: "error", data: toAnthropicEnvelope(failure, requestId) }),
      });
    }
    const { completion, usage } = await completeTranslated(deps, ex, acct, target, chat);
    return { kind: "json", body: toAnthropicMessage(completion, request.model, usage) };
  });
}
