import { type ErrorDetail, GatewayError } from "../../errors/catalog.js";

/** A path into the request body, e.g. `["messages", 2, "content", 1]` (rooted at `body` in details). */
export type Loc = readonly (string | number)[];

/**
 * The 422 for a request that is valid OpenAI but cannot be said to this vendor: which part, and why.
 * Translating it anyway (dropping the part, guessing) would answer a different question than was asked.
 *
 * @example throw untranslatable("Anthropic", ["messages", 0, "content", 1], "unsupported_content", "audio input is not supported")
 */
export function untranslatable(vendor: string, loc: Loc, type: string, msg: string): GatewayError {
  const detail: ErrorDetail = { type, loc: ["body", ...loc], msg };
  return new GatewayError("validation_error", `${vendor} cannot take ${loc.join(".")}: ${msg}.`, {
    param: loc.join("."),
    details: [detail],
  });
}
