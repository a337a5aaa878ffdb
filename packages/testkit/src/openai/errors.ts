/** OpenAI error bodies: `{"error":{"message","type","param","code"}}`, as the official API sends them. */
import type { Exchange } from "../exchange.js";
import { newId } from "../ids.js";

export interface OpenAIErrorFields {
  type?: string;
  code?: string | null;
  param?: string | null;
}

/** Type and code the real API uses for each status (see the error-codes guide). */
function defaultsFor(status: number): { type: string; code: string | null } {
  if (status === 401) return { type: "invalid_request_error", code: "invalid_api_key" };
  if (status === 403) return { type: "invalid_request_error", code: "unsupported_country_region_territory" };
  if (status === 404) return { type: "invalid_request_error", code: "not_found" };
  if (status === 429) return { type: "requests", code: "rate_limit_exceeded" };
  // A status below 400 only comes with `error_body` (an error in a 200): a server error's shape.
  if (status >= 500 || status < 400) return { type: "server_error", code: null };
  return { type: "invalid_request_error", code: null };
}

export function openaiErrorBody(status: number, message: string, fields: OpenAIErrorFields = {}): unknown {
  const defaults = defaultsFor(status);
  return {
    error: {
      message,
      type: fields.type ?? defaults.type,
      param: fields.param ?? null,
      code: fields.code === undefined ? defaults.code : fields.code,
    },
  };
}

/** Sends an OpenAI error; `retryAfter` (seconds) adds the `Retry-After` header. */
export function sendOpenAIError(
  ex: Exchange,
  status: number,
  message: string,
  retryAfter?: number,
  fields?: OpenAIErrorFields,
): void {
  const headers: Record<string, string> = { "x-request-id": `req_${newId("")}` };
  if (retryAfter !== undefined) headers["retry-after"] = String(retryAfter);
  ex.json(status, openaiErrorBody(status, message, fields), headers);
}
