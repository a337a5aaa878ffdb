import type { ChatCompletion } from "../providers/openai-types.js";
import type { UsageEvent } from "../store/types.js";

/** Attribute values as OpenTelemetry takes them. */
export type Attributes = Record<string, string | number | boolean | string[]>;

/**
 * OpenTelemetry's GenAI semantic-convention names (still "development" status upstream, whose advice
 * is to keep your own copy of unstable names rather than import the incubating package).
 */
export const GEN_AI = {
  operation: "gen_ai.operation.name",
  provider: "gen_ai.provider.name",
  /** The name used before `gen_ai.provider.name`; still read by most backends. */
  system: "gen_ai.system",
  requestModel: "gen_ai.request.model",
  maxTokens: "gen_ai.request.max_tokens",
  temperature: "gen_ai.request.temperature",
  topP: "gen_ai.request.top_p",
  stream: "gen_ai.request.stream",
  responseModel: "gen_ai.response.model",
  responseId: "gen_ai.response.id",
  finishReasons: "gen_ai.response.finish_reasons",
  inputTokens: "gen_ai.usage.input_tokens",
  outputTokens: "gen_ai.usage.output_tokens",
  inputMessages: "gen_ai.input.messages",
  outputMessages: "gen_ai.output.messages",
  conversationId: "gen_ai.conversation.id",
} as const;

/** MeshAPI provider names that the conventions spell differently. */
const WELL_KNOWN_PROVIDER: Readonly<Record<string, string>> = {
  google: "gcp.gemini",
  mistral: "mistral_ai",
  xai: "x_ai",
};

export function genAiProvider(meshapiProvider: string): string {
  return WELL_KNOWN_PROVIDER[meshapiProvider] ?? meshapiProvider;
}

/**
 * What the request span can say before the body is validated: only well-typed fields are taken, so a
 * malformed body yields fewer attributes, never an error. Messages only when content capture is on.
 */
export function requestAttributes(body: unknown, captureContent: boolean): Attributes {
  const out: Attributes = { [GEN_AI.operation]: "chat" };
  if (typeof body !== "object" || body === null) return out;
  const b = body as Record<string, unknown>;
  if (typeof b.model === "string") out[GEN_AI.requestModel] = b.model;
  const maxTokens = b.max_completion_tokens ?? b.max_tokens;
  if (typeof maxTokens === "number") out[GEN_AI.maxTokens] = maxTokens;
  if (typeof b.temperature === "number") out[GEN_AI.temperature] = b.temperature;
  if (typeof b.top_p === "number") out[GEN_AI.topP] = b.top_p;
  if (typeof b.stream === "boolean") out[GEN_AI.stream] = b.stream;
  if (captureContent && Array.isArray(b.messages)) out[GEN_AI.inputMessages] = JSON.stringify(b.messages);
  return out;
}

/** The request span's closing attributes, from the request's usage event. */
export function outcomeAttributes(event: UsageEvent): Attributes {
  const out: Attributes = {
    "http.response.status_code": event.status,
    [GEN_AI.inputTokens]: event.promptTokens,
    [GEN_AI.outputTokens]: event.completionTokens,
    "meshapi.request_id": event.requestId,
  };
  if (event.provider !== null) {
    out[GEN_AI.provider] = genAiProvider(event.provider);
    out[GEN_AI.system] = genAiProvider(event.provider);
  }
  if (event.model !== null && event.provider !== null) out[GEN_AI.responseModel] = event.model;
  if (event.costUsd !== null) out["meshapi.cost_usd"] = event.costUsd;
  if (event.estimated) out["meshapi.usage.estimated"] = true;
  if (event.ttftMs !== null) out["meshapi.time_to_first_token_ms"] = event.ttftMs;
  if (event.sessionId !== null) out[GEN_AI.conversationId] = event.sessionId;
  if (event.errorCode !== null) out["error.type"] = event.errorCode;
  return out;
}

/** What an upstream's non-streaming answer adds to its attempt span. */
export function completionAttributes(completion: ChatCompletion, captureContent: boolean): Attributes {
  const out: Attributes = {};
  if (typeof completion.model === "string") out[GEN_AI.responseModel] = completion.model;
  if (typeof completion.id === "string") out[GEN_AI.responseId] = completion.id;
  const reasons = completion.choices.map((c) => c.finish_reason).filter((r): r is string => !!r);
  if (reasons.length > 0) out[GEN_AI.finishReasons] = reasons;
  if (completion.usage) {
    out[GEN_AI.inputTokens] = completion.usage.prompt_tokens;
    out[GEN_AI.outputTokens] = completion.usage.completion_tokens;
  }
  if (captureContent) out[GEN_AI.outputMessages] = JSON.stringify(completion.choices.map((c) => c.message));
  return out;
}
