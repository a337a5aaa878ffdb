import type { GatewayConfig } from "../config/config.js";
import { toAnthropicEnvelope } from "../http/anthropic-error.js";
import type { RouteResult, StreamingExchange } from "../http/routes/governed-route.js";
import { worstCaseNanos } from "../limits/reservation.js";
import type { AnthropicPassThrough } from "../providers/anthropic/passthrough.js";
import { toChatRequest } from "../providers/translate/from-anthropic/request.js";
import { toAnthropicMessage } from "../providers/translate/from-anthropic/response.js";
import { AnthropicEventWriter } from "../providers/translate/from-anthropic/stream.js";
import type { Deployment } from "../routing/deployments.js";
import type { ChatRequest } from "./chat-request.js";
import type { GovernedDeps } from "./governed.js";
import { governed } from "./governed.js";
import { completePassThrough, streamPassThrough } from "./messages-passthrough.js";
import { type MessagesRequest, messagesModel, messagesRequestSchema } from "./messages-request.js";
import { narrow, routeOne } from "./routed-call.js";
import { completeTranslated, streamTranslated, type TranslatedDeps } from "./translated-chat.js";
import { validateChatRequest } from "./validate.js";
import { validateBody } from "./validate-body.js";

export interface MessagesDeps extends GovernedDeps, TranslatedDeps {
  config: GatewayConfig;
  /** Anthropic's Messages API, called as is for `anthropic/*` models. */
  anthropicPassThrough: AnthropicPassThrough;
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
    const route = routeOne(deps, ex.key, publicModel);
    const prices = () => route.deployments.map((d) => d.price);
    if (isAnthropic(route.deployments[0] as Deployment)) {
      // Anthropic speaks this format: pass through (to the name's Anthropic deployments), so nothing is
      // lost in translation.
      const reserveAs = toReservation(request, publicModel);
      await admit(() => worstCaseNanos(reserveAs, prices(), deps.governance.defaultReservationTokens));
      const passThrough = { ...deps, anthropic: deps.anthropicPassThrough };
      const anthropic = narrow(route, isAnthropic);
      return request.stream
        ? streamPassThrough(passThrough, ex, acct, anthropic, request)
        : completePassThrough(passThrough, ex, acct, anthropic, request);
    }
    const chat = validateChatRequest(toChatRequest(request, publicModel));
    await admit(() => worstCaseNanos(chat, prices(), deps.governance.defaultReservationTokens));
    if (request.stream) {
      const writer = new AnthropicEventWriter(request.model);
      return streamTranslated(deps, ex, acct, route, chat, {
        events: (chunk) => writer.push(chunk),
        error: (failure, requestId) => ({ event: "error", data: toAnthropicEnvelope(failure, requestId) }),
      });
    }
    const { completion, usage } = await completeTranslated(deps, ex, acct, route, chat);
    return { kind: "json", body: toAnthropicMessage(completion, request.model, usage) };
  });
}

const isAnthropic = (d: Deployment) => d.provider.format === "anthropic";

/**
 * A pass-through request's stand-in for the reservation estimate: its texts as chat messages (blocks
 * the estimate does not know count at a flat allowance), its tools and its max_tokens.
 */
function toReservation(request: MessagesRequest, model: string): ChatRequest {
  const messages = request.messages.map((m) => ({
    role: m.role,
    content: typeof m.content === "string" ? m.content : m.content.map(reservationPart),
  }));
  const system =
    typeof request.system === "string"
      ? request.system
      : (request.system ?? []).map((b) => b.text).join("\n");
  return {
    model,
    messages: [{ role: "system", content: system }, ...messages] as ChatRequest["messages"],
    max_tokens: request.max_tokens,
    tools: request.tools as ChatRequest["tools"],
  };
}

/** Text counts as text; images and documents at the estimate's flat allowance; other blocks by their JSON. */
function reservationPart(block: MessagesRequest["messages"][number]["content"][number]): { text?: string } {
  if (typeof block === "string") return { text: block };
  if (typeof block.text === "string") return { text: block.text };
  if (block.type === "image" || block.type === "document") return {};
  return { text: JSON.stringify(block) };
}
