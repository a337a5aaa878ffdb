import type { ChatRequest } from "../../pipeline/chat-request.js";
import { untranslatable } from "../translate/invalid.js";
import type { ContentContext } from "./content.js";
import { type GeminiModelTraits, toGeminiConversation } from "./messages.js";
import { toGeminiSchema } from "./schema.js";
import { toGeminiTools } from "./tools.js";

const VENDOR = "Gemini";

/**
 * The generateContent body for an OpenAI request (reference §3.1, §4.1). camelCase throughout, as the
 * API's JSON mapping expects. Sampling fields map one to one; `n > 1` and `logprobs` are a 422, since
 * answering them with one candidate and no logprobs would be a different answer.
 */
export async function buildGeminiBody(
  request: ChatRequest,
  traits: GeminiModelTraits,
  ctx: ContentContext,
): Promise<Record<string, unknown>> {
  if (request.n != null && request.n > 1) {
    throw untranslatable(
      VENDOR,
      ["n"],
      "unsupported_parameter",
      "the gateway translates one candidate; n must be 1",
    );
  }
  if (request.logprobs === true) {
    throw untranslatable(
      VENDOR,
      ["logprobs"],
      "unsupported_parameter",
      "logprobs are not translated for Gemini",
    );
  }
  const conversation = await toGeminiConversation(request.messages, traits, ctx);
  const body: Record<string, unknown> = { contents: conversation.contents };
  if (conversation.systemInstruction) body.systemInstruction = conversation.systemInstruction;
  Object.assign(body, toGeminiTools(request));
  const generationConfig = generationConfigOf(request);
  if (Object.keys(generationConfig).length > 0) body.generationConfig = generationConfig;
  return body;
}

function generationConfigOf(request: ChatRequest): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  const maxTokens = request.max_completion_tokens ?? request.max_tokens;
  if (maxTokens != null) config.maxOutputTokens = maxTokens;
  if (request.temperature != null) config.temperature = request.temperature;
  if (request.top_p != null) config.topP = request.top_p;
  if (request.stop != null)
    config.stopSequences = typeof request.stop === "string" ? [request.stop] : request.stop;
  if (request.seed != null) config.seed = request.seed;
  if (request.presence_penalty != null) config.presencePenalty = request.presence_penalty;
  if (request.frequency_penalty != null) config.frequencyPenalty = request.frequency_penalty;
  const format = request.response_format;
  if (format?.type === "json_object") config.responseMimeType = "application/json";
  if (format?.type === "json_schema") {
    config.responseMimeType = "application/json";
    const schema = toGeminiSchema(format.json_schema.schema, ["response_format", "json_schema", "schema"]);
    if (schema !== undefined) config.responseSchema = schema;
  }
  return config;
}
