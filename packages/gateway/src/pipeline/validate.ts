import type { z } from "zod";
import { type ErrorDetail, GatewayError } from "../errors/catalog.js";
import { type ChatRequest, chatRequestSchema } from "./chat-request.js";

/** Turns zod's issues into the documented `details`, one entry per bad field, rooted at `body`. */
export function issuesToDetails(issues: readonly z.core.$ZodIssue[]): ErrorDetail[] {
  return issues.map((issue) => ({
    type: issue.code,
    loc: ["body", ...issue.path.map((p) => (typeof p === "symbol" ? String(p) : p))],
    msg: issue.message,
  }));
}

export function validateChatRequest(body: unknown): ChatRequest {
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    throw new GatewayError("invalid_request", "The request body must be a JSON object.");
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
