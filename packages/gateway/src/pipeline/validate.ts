import type { z } from "zod";
import { type ErrorDetail, GatewayError } from "../errors/catalog.js";
import { type ChatRequest, chatRequestSchema } from "./chat-request.js";
import { simpleChatRequest } from "./simple-request.js";

/** Turns zod's issues into the documented `details`, one entry per bad field, rooted at `body`. */
export function issuesToDetails(issues: readonly z.core.$ZodIssue[]): ErrorDetail[] {
  return issues.map((issue) => ({
    type: issue.code,
    loc: ["body", ...issue.path.map((p) => (typeof p === "symbol" ? String(p) : p))],
    msg: issue.message,
  }));
}

/** Deeper JSON than this is refused: nothing legitimate needs it, and re-serialising it could blow the stack. */
export const MAX_JSON_DEPTH = 64;

/**
 * The top-level field holding a value nested deeper than `max`, or undefined. Iterative, so the check
 * itself cannot overflow, and it allocates one small record per container, not per path.
 */
export function findTooDeep(body: Record<string, unknown>, max: number): string | undefined {
  const stack: { value: unknown; depth: number; field: string }[] = Object.entries(body).map(
    ([field, value]) => ({
      value,
      depth: 1,
      field,
    }),
  );
  while (stack.length > 0) {
    const { value, depth, field } = stack.pop() as { value: unknown; depth: number; field: string };
    if (value === null || typeof value !== "object") continue;
    if (depth >= max) return field;
    for (const child of Array.isArray(value) ? value : Object.values(value)) {
      if (child !== null && typeof child === "object") stack.push({ value: child, depth: depth + 1, field });
    }
  }
  return undefined;
}

export function validateChatRequest(body: unknown): ChatRequest {
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    throw new GatewayError("invalid_request", "The request body must be a JSON object.");
  }
  // Plain text chats (most traffic) are checked without the schema; see simple-request.ts.
  const simple = simpleChatRequest(body as Record<string, unknown>);
  if (simple !== undefined) return simple;
  const deep = findTooDeep(body as Record<string, unknown>, MAX_JSON_DEPTH);
  if (deep !== undefined) {
    throw new GatewayError(
      "validation_error",
      `The request is nested deeper than ${MAX_JSON_DEPTH} levels.`,
      {
        param: deep,
        details: [
          { type: "too_deep", loc: ["body", deep], msg: `nested deeper than ${MAX_JSON_DEPTH} levels` },
        ],
      },
    );
  }
  const result = chatRequestSchema.safeParse(body);
  if (!result.success) {
    const details = issuesToDetails(result.error.issues);
    const fields = [...new Set(details.map((d) => d.loc.slice(1).join(".") || "body"))];
    throw new GatewayError("validation_error", `Invalid request: check ${fields.join(", ")}.`, {
      details,
      param: fields[0] ?? null,
    });
  }
  const request = result.data;
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
