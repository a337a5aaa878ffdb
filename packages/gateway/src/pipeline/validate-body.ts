import type { z } from "zod";
import { type ErrorDetail, GatewayError } from "../errors/catalog.js";

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

/**
 * Checks a request body against one inbound format's schema, with the same rules and error shape on
 * every route: a JSON object (else 400), nested no deeper than MAX_JSON_DEPTH, else 422 with `details`.
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
