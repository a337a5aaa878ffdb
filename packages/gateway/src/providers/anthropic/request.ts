import type { ChatRequest } from "../../pipeline/chat-request.js";
import { untranslatable } from "../translate/invalid.js";
import { toAnthropicConversation } from "./messages.js";
import type { ClaudeModel } from "./models.js";
import { toAnthropicTools } from "./tools.js";

const VENDOR = "Anthropic";

/**
 * The Messages API body for an OpenAI request (reference §4.1). Parameters without an Anthropic
 * equivalent that only tune sampling (`seed`, penalties, `logit_bias`) are dropped; ones whose absence
 * would change the answer's shape (`n > 1`, `logprobs`, `json_object`) are a 422 instead.
 */
export function buildAnthropicBody(
  request: ChatRequest,
  model: ClaudeModel,
  stream: boolean,
): Record<string, unknown> {
  refuseUntranslatable(request, model);
  const { system, messages } = toAnthropicConversation(request.messages);
  const body: Record<string, unknown> = {
    model: model.id,
    // Required by the API; OpenAI clients usually omit it (reference §4.4 item 1).
    max_tokens: request.max_completion_tokens ?? request.max_tokens ?? model.defaultMaxTokens,
    messages,
  };
  if (system.length > 0) body.system = system;
  Object.assign(body, sampling(request, model));
  if (request.stop != null)
    body.stop_sequences = typeof request.stop === "string" ? [request.stop] : request.stop;
  Object.assign(body, toAnthropicTools(request));
  if (request.user !== undefined) body.metadata = { user_id: request.user };
  const format = request.response_format;
  if (format?.type === "json_schema") {
    body.output_config = {
      format: { type: "json_schema", schema: format.json_schema.schema ?? { type: "object" } },
    };
  }
  if (stream) body.stream = true;
  return body;
}

/** temperature/top_p as each model accepts them (reference §2.1, §4.4 item 14). */
function sampling(request: ChatRequest, model: ClaudeModel): Record<string, number> {
  if (model.fixedSampling) return {};
  const out: Record<string, number> = {};
  if (request.temperature != null) out.temperature = request.temperature;
  // These models refuse both at once; temperature is the one clients mean more often.
  if (request.top_p != null && !(model.oneSamplingParameter && out.temperature !== undefined)) {
    out.top_p = request.top_p;
  }
  return out;
}

function refuseUntranslatable(request: ChatRequest, model: ClaudeModel): void {
  if (request.n != null && request.n > 1) {
    throw untranslatable(
      VENDOR,
      ["n"],
      "unsupported_parameter",
      "Claude models return one choice; n must be 1",
    );
  }
  if (request.logprobs === true) {
    throw untranslatable(
      VENDOR,
      ["logprobs"],
      "unsupported_parameter",
      "Claude models do not return logprobs",
    );
  }
  if (request.temperature != null && request.temperature > 1 && !model.fixedSampling) {
    throw untranslatable(
      VENDOR,
      ["temperature"],
      "unsupported_value",
      "Claude models take a temperature between 0 and 1",
    );
  }
  const format = request.response_format;
  if (format?.type === "json_object") {
    throw untranslatable(
      VENDOR,
      ["response_format", "type"],
      "unsupported_response_format",
      "Claude has no JSON mode; use json_schema (structured outputs) with a schema",
    );
  }
  if (format?.type === "json_schema" && !model.structuredOutputs) {
    throw untranslatable(
      VENDOR,
      ["response_format", "type"],
      "unsupported_response_format",
      `${model.id} does not support structured outputs; use Claude Sonnet/Haiku 4.5 or Opus 4.1 or later`,
    );
  }
}
