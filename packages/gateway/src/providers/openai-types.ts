/** The OpenAI response shapes the gateway reads and writes (reference §1.4–1.5); extra fields pass through. */

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details?: {
    cached_tokens?: number;
    cache_write_tokens?: number;
    [k: string]: unknown;
  } | null;
  completion_tokens_details?: { reasoning_tokens?: number; [k: string]: unknown } | null;
  /** MeshAPI: USD, when the model's price is known. */
  cost?: number;
  /** MeshAPI: true when the gateway counted the tokens itself because the upstream did not. */
  estimated?: boolean;
  [k: string]: unknown;
}

export interface ToolCall {
  id: string;
  type: "function";
  function: { name: string; arguments: string };
}

export interface ChatCompletion {
  id: string;
  object: "chat.completion";
  created: number;
  model: string;
  choices: {
    index: number;
    message: { role: "assistant"; content: string | null; tool_calls?: ToolCall[]; [k: string]: unknown };
    finish_reason: string | null;
    logprobs?: unknown;
    [k: string]: unknown;
  }[];
  usage?: Usage | null;
  [k: string]: unknown;
}

export interface ToolCallDelta {
  index: number;
  id?: string;
  type?: "function";
  function?: { name?: string; arguments?: string };
}

export interface ChunkChoice {
  index: number;
  delta: { role?: string; content?: string | null; tool_calls?: ToolCallDelta[]; [k: string]: unknown };
  finish_reason: string | null;
  [k: string]: unknown;
}

export interface ChatCompletionChunk {
  id: string;
  object: "chat.completion.chunk";
  created: number;
  model: string;
  choices: ChunkChoice[];
  usage?: Usage | null;
  [k: string]: unknown;
}
