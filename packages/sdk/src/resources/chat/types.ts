/**
 * Request and response shapes of `POST /v1/chat/completions`: the OpenAI Chat Completions wire
 * format plus MeshAPI's extensions. Field names are the wire names (snake_case) so a body logged by
 * the gateway reads the same as the object in code.
 */

// ---------------------------------------------------------------- messages

export interface ChatCompletionContentPartText {
  type: "text";
  text: string;
}

export interface ChatCompletionContentPartImage {
  type: "image_url";
  image_url: {
    /** An http(s) URL or a data URL (`data:image/png;base64,…`). */
    url: string;
    detail?: "auto" | "low" | "high";
  };
}

export interface ChatCompletionContentPartInputAudio {
  type: "input_audio";
  input_audio: { data: string; format: "wav" | "mp3" };
}

export interface ChatCompletionContentPartFile {
  type: "file";
  file: { file_data?: string; file_id?: string; filename?: string };
}

export interface ChatCompletionContentPartRefusal {
  type: "refusal";
  refusal: string;
}

export type ChatCompletionContentPart =
  | ChatCompletionContentPartText
  | ChatCompletionContentPartImage
  | ChatCompletionContentPartInputAudio
  | ChatCompletionContentPartFile;

export interface ChatCompletionSystemMessageParam {
  role: "system";
  content: string | ChatCompletionContentPartText[];
  name?: string;
}

/** The `system` role for newer reasoning models; the gateway treats both as the system prompt. */
export interface ChatCompletionDeveloperMessageParam {
  role: "developer";
  content: string | ChatCompletionContentPartText[];
  name?: string;
}

export interface ChatCompletionUserMessageParam {
  role: "user";
  content: string | ChatCompletionContentPart[];
  name?: string;
}

export interface ChatCompletionAssistantMessageParam {
  role: "assistant";
  /** May be null or absent when `tool_calls` is present. */
  content?: string | Array<ChatCompletionContentPartText | ChatCompletionContentPartRefusal> | null;
  refusal?: string | null;
  tool_calls?: ChatCompletionMessageToolCall[];
  name?: string;
}

export interface ChatCompletionToolMessageParam {
  role: "tool";
  /** The `id` of the assistant's tool call this message answers. */
  tool_call_id: string;
  content: string | ChatCompletionContentPartText[];
}

export type ChatCompletionMessageParam =
  | ChatCompletionSystemMessageParam
  | ChatCompletionDeveloperMessageParam
  | ChatCompletionUserMessageParam
  | ChatCompletionAssistantMessageParam
  | ChatCompletionToolMessageParam;

// ---------------------------------------------------------------- tools

export interface FunctionDefinition {
  /** `a-zA-Z0-9_-`, at most 64 characters. */
  name: string;
  description?: string;
  /** A JSON Schema object; omit for a function without arguments. */
  parameters?: Record<string, unknown>;
  strict?: boolean | null;
}

export interface ChatCompletionTool {
  type: "function";
  function: FunctionDefinition;
}

export interface ChatCompletionNamedToolChoice {
  type: "function";
  function: { name: string };
}

export interface ChatCompletionAllowedToolsChoice {
  type: "allowed_tools";
  allowed_tools: {
    mode: "auto" | "required";
    tools: Array<{ type: "function"; function: { name: string } }>;
  };
}

export type ChatCompletionToolChoiceOption =
  | "none"
  | "auto"
  | "required"
  | ChatCompletionNamedToolChoice
  | ChatCompletionAllowedToolsChoice;

/** A call the model made; `arguments` is a JSON-encoded string. */
export interface ChatCompletionMessageToolCall {
  id: string;
  type: "function";
  function: { name: string; arguments: string };
}

// ---------------------------------------------------------------- request

export type ResponseFormat =
  | { type: "text" }
  | { type: "json_object" }
  | {
      type: "json_schema";
      json_schema: {
        name: string;
        description?: string;
        schema?: Record<string, unknown>;
        strict?: boolean | null;
      };
    };

export interface ChatCompletionStreamOptions {
  /** Adds a final `choices: []` chunk carrying `usage` (MeshAPI reports usage either way). */
  include_usage?: boolean;
  include_obfuscation?: boolean;
}

/** Request fields other than `messages`, `template` and `stream`. */
export interface ChatCompletionCreateParamsFields {
  /** `provider/model`, e.g. `openai/gpt-4o-mini`, `anthropic/claude-sonnet-4.5`. */
  model: string;
  max_tokens?: number | null;
  max_completion_tokens?: number | null;
  temperature?: number | null;
  top_p?: number | null;
  stop?: string | string[] | null;
  seed?: number | null;
  n?: number | null;
  user?: string;
  logprobs?: boolean | null;
  top_logprobs?: number | null;
  frequency_penalty?: number | null;
  presence_penalty?: number | null;
  logit_bias?: Record<string, number> | null;
  parallel_tool_calls?: boolean;
  tools?: ChatCompletionTool[];
  tool_choice?: ChatCompletionToolChoiceOption;
  response_format?: ResponseFormat;
  stream_options?: ChatCompletionStreamOptions | null;
  reasoning_effort?: "minimal" | "low" | "medium" | "high" | null;
  metadata?: Record<string, string> | null;
  service_tier?: string | null;
  store?: boolean | null;
  prompt_cache_key?: string;
  safety_identifier?: string;

  // MeshAPI extensions: consumed by the gateway, never forwarded upstream.
  /** Values for the template's placeholders. */
  variables?: Record<string, unknown>;
  /** Groups requests into a conversation for usage reports. */
  session_id?: string;
  /** Fallback models, tried in order when `model` fails. */
  models?: string[];
  /** Gateway-side transforms applied to the request, by name. */
  transforms?: string[];
  /**
   * The gateway's response cache: keep this answer `ttl` seconds and answer an identical request
   * from it (at cost 0); `ttl: 0` skips the cache.
   */
  cache?: { ttl: number };
}

/**
 * `messages` is required unless a stored `template` (rendered by the gateway with `variables`)
 * provides them.
 */
export type ChatCompletionMessagesOrTemplate =
  | { messages: ChatCompletionMessageParam[]; template?: string }
  | { template: string; messages?: ChatCompletionMessageParam[] };

export type ChatCompletionCreateParamsBase = ChatCompletionCreateParamsFields &
  ChatCompletionMessagesOrTemplate;

export type ChatCompletionCreateParamsNonStreaming = ChatCompletionCreateParamsBase & {
  stream?: false | null;
};
export type ChatCompletionCreateParamsStreaming = ChatCompletionCreateParamsBase & { stream: true };
export type ChatCompletionCreateParams =
  | ChatCompletionCreateParamsNonStreaming
  | ChatCompletionCreateParamsStreaming;

// ---------------------------------------------------------------- responses

export type ChatCompletionFinishReason =
  | "stop"
  | "length"
  | "tool_calls"
  | "content_filter"
  | "function_call";

export interface ChatCompletionTokenLogprob {
  token: string;
  logprob: number;
  bytes: number[] | null;
  top_logprobs: Array<{ token: string; logprob: number; bytes: number[] | null }>;
}

export interface ChatCompletionChoiceLogprobs {
  content: ChatCompletionTokenLogprob[] | null;
  refusal?: ChatCompletionTokenLogprob[] | null;
}

export interface CompletionUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details?: {
    cached_tokens?: number;
    cache_write_tokens?: number;
    audio_tokens?: number;
    image_tokens?: number;
    text_tokens?: number;
  };
  completion_tokens_details?: {
    reasoning_tokens?: number;
    accepted_prediction_tokens?: number;
    rejected_prediction_tokens?: number;
    audio_tokens?: number;
    text_tokens?: number;
  };
  /** Cost of the request in USD, computed by the gateway when it knows the model's price. */
  cost?: number;
}

export interface ChatCompletionMessage {
  role: "assistant";
  content: string | null;
  refusal?: string | null;
  tool_calls?: ChatCompletionMessageToolCall[];
}

export interface ChatCompletionChoice {
  index: number;
  message: ChatCompletionMessage;
  finish_reason: ChatCompletionFinishReason | null;
  logprobs?: ChatCompletionChoiceLogprobs | null;
}

export interface ChatCompletion {
  id: string;
  object: "chat.completion";
  /** Unix seconds. */
  created: number;
  /** The requested `provider/model`. */
  model: string;
  choices: ChatCompletionChoice[];
  usage?: CompletionUsage;
  system_fingerprint?: string | null;
  service_tier?: string | null;
}

/** A fragment of a tool call; fragments with the same `index` concatenate into one call. */
export interface ChatCompletionChunkToolCallDelta {
  index: number;
  id?: string;
  type?: "function";
  function?: { name?: string; arguments?: string };
}

export interface ChatCompletionChunkDelta {
  role?: "assistant";
  content?: string | null;
  refusal?: string | null;
  tool_calls?: ChatCompletionChunkToolCallDelta[];
}

export interface ChatCompletionChunkChoice {
  index: number;
  delta: ChatCompletionChunkDelta;
  finish_reason: ChatCompletionFinishReason | null;
  logprobs?: ChatCompletionChoiceLogprobs | null;
}

export interface ChatCompletionChunk {
  id: string;
  object: "chat.completion.chunk";
  created: number;
  model: string;
  /** Empty on the usage-only chunk sent for `stream_options.include_usage`. */
  choices: ChatCompletionChunkChoice[];
  /** Present (with `cost`) on the final `choices: []` chunk, or on the chunk with `finish_reason`. */
  usage?: CompletionUsage | null;
  system_fingerprint?: string | null;
  service_tier?: string | null;
}
