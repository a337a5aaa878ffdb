import { type Loc, untranslatable } from "./invalid.js";

/**
 * OpenAI carries tool arguments as a JSON string; Anthropic (`input`) and Gemini (`args`) want an
 * object. An empty string means "no arguments"; anything that is not a JSON object is a 422 rather
 * than a guess, so the model is never shown arguments it did not write.
 *
 * @example parseToolArguments('{"city":"Paris"}', "Gemini", loc) // → { city: "Paris" }
 */
export function parseToolArguments(args: string, vendor: string, loc: Loc): Record<string, unknown> {
  if (args.trim() === "") return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(args);
  } catch {
    throw untranslatable(vendor, loc, "invalid_tool_arguments", "function.arguments is not valid JSON");
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw untranslatable(vendor, loc, "invalid_tool_arguments", "function.arguments must be a JSON object");
  }
  return parsed as Record<string, unknown>;
}
