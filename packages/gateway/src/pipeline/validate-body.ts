import type { z } from "zod";
import { GatewayError } from "../errors/catalog.js";
import { findTooDeep, issuesToDetails, MAX_JSON_DEPTH } from "./validate.js";

/**
 * Checks a request body against one inbound format's schema, with the same rules and error shape as
 * chat completions: a JSON object, nested no deeper than MAX_JSON_DEPTH, else 422 with `details`.
 */
export function validateBody<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    throw new GatewayError("invalid_request", "The request body must be a JSON object.");
  }
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
  const result = schema.safeParse(body);
  if (!result.success) {
    const details = issuesToDetails(result.error.issues);
    const fields = [...new Set(details.map((d) => d.loc.slice(1).join(".") || "body"))];
    throw new GatewayError("validation_error", `Invalid request: check ${fields.join(", ")}.`, {
      details,
      param: fields[0] ?? null,
    });
  }
  return result.data;
}

/** A 400 for something the route accepts in general but not for this provider or in this form. */
export function unsupported(param: string, message: string): GatewayError {
  return new GatewayError("unsupported_feature", message, {
    param,
    details: [{ type: "unsupported", loc: ["body", ...param.split(".")], msg: message }],
  });
}
