import { GatewayError } from "../errors/catalog.js";
import { type ChatRequest, chatRequestSchema } from "./chat-request.js";
import { simpleChatRequest } from "./simple-request.js";
import { validateBody } from "./validate-body.js";

export function validateChatRequest(body: unknown): ChatRequest {
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    throw new GatewayError("invalid_request", "The request body must be a JSON object.");
  }
  // Plain text chats (most traffic) are checked without the schema; see simple-request.ts.
  const simple = simpleChatRequest(body as Record<string, unknown>);
  if (simple !== undefined) return simple;
  const request = validateBody(chatRequestSchema, body);
  if (request.messages.length === 0 && request.template === undefined) throw noMessages();
  if (request.stream_options != null && request.stream !== true) {
    throw new GatewayError("validation_error", "stream_options is only allowed when stream is true.", {
      param: "stream_options",
      details: [
        { type: "invalid_combination", loc: ["body", "stream_options"], msg: "requires stream: true" },
      ],
    });
  }
  return request;
}

/** A request must carry at least one message, of its own or from its template. */
export function noMessages(): GatewayError {
  return new GatewayError("validation_error", "Invalid request: check messages.", {
    param: "messages",
    details: [{ type: "too_small", loc: ["body", "messages"], msg: "must contain at least one message" }],
  });
}
