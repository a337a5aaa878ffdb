/** `POST /v1beta/models/{model}:generateContent` and `:streamGenerateContent`: the Gemini API. */
import { parseDirectives, withStanding } from "../directives.js";
import type { Exchange } from "../exchange.js";
import { preflight, sendBody } from "../faults.js";
import { isObject, planReply } from "../scenario.js";
import { playStream } from "../stream.js";
import { sendGoogleError } from "./errors.js";
import { readGeminiRequest } from "./request.js";
import { geminiChunks, geminiResponse, geminiStreamScript } from "./response.js";
import { validateGenerateContent } from "./validate.js";

export type GeminiMethod = "generateContent" | "streamGenerateContent";

function queryParam(query: string, name: string): string | null {
  if (query === "") return null;
  return new URLSearchParams(query).get(name);
}

/** Key from `x-goog-api-key` or `?key=`; missing → 403, wrong → 400 API_KEY_INVALID, like the API. */
export function authorised(ex: Exchange, expectedKey: string | undefined): boolean {
  const header = ex.req.headers["x-goog-api-key"];
  const key = (typeof header === "string" ? header.trim() : "") || (queryParam(ex.query, "key") ?? "");
  if (key === "") {
    sendGoogleError(
      ex,
      403,
      "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
    );
    return false;
  }
  if (expectedKey !== undefined && key !== expectedKey) {
    ex.json(400, {
      error: {
        code: 400,
        message: "API key not valid. Please pass a valid API key.",
        status: "INVALID_ARGUMENT",
        details: [
          {
            "@type": "type.googleapis.com/google.rpc.ErrorInfo",
            reason: "API_KEY_INVALID",
            domain: "googleapis.com",
          },
        ],
      },
    });
    return false;
  }
  return true;
}

export async function handleGemini(
  ex: Exchange,
  model: string,
  method: GeminiMethod,
  expectedKey: string | undefined,
): Promise<void> {
  if (!authorised(ex, expectedKey)) return;
  if (!isObject(ex.body)) {
    sendGoogleError(
      ex,
      400,
      ex.body === undefined
        ? "Invalid JSON payload received. Unexpected token."
        : "* GenerateContentRequest.contents: contents is not specified\n",
    );
    return;
  }
  if (model.includes("unknown")) {
    sendGoogleError(
      ex,
      404,
      `models/${model} is not found for API version v1beta, or is not supported for ${method}. Call ListModels to see the list of available models and their supported methods.`,
    );
    return;
  }
  const problem = validateGenerateContent(ex.body, model);
  if (problem !== null) {
    sendGoogleError(ex, 400, problem);
    return;
  }
  const conversation = readGeminiRequest(ex.body);
  const directives = parseDirectives(withStanding(conversation.userText, ex.standing));
  if (!directives.ok) {
    sendGoogleError(ex, 400, directives.message);
    return;
  }
  const d = directives.directives;
  if (!(await preflight(ex, d, sendGoogleError, method === "streamGenerateContent"))) return;
  const reply = planReply(conversation, directives.text, d);
  if (method === "generateContent") {
    await sendBody(ex, {}, JSON.stringify(geminiResponse(model, reply, !d.noUsage)), d);
    return;
  }
  const chunks = geminiChunks(model, reply, !d.noUsage);
  if (queryParam(ex.query, "alt") !== "sse") {
    // Without alt=sse the API streams one JSON array; sent whole here (faults apply to SSE).
    await sendBody(ex, {}, `[${chunks.map((c) => JSON.stringify(c)).join(",\r\n")}]`, d);
    return;
  }
  const headers = {
    "content-type": "text/event-stream",
    "cache-control": "no-cache",
    "x-content-type-options": "nosniff",
  };
  await playStream(ex, headers, geminiStreamScript(chunks), d);
}
