/**
 * How an OpenAI-compatible vendor departs from OpenAI (reference §5). The pass-through adapter applies
 * these to the request body so that fields a vendor rejects are dropped rather than sent.
 */
export interface VendorQuirks {
  /** Top-level fields this vendor rejects; dropped before sending. */
  dropFields?: readonly string[];
  /** Strict vendors (Mistral: 422 `extra_forbidden`) get only these top-level fields. */
  allowFields?: readonly string[];
  /** Fields to rename, after dropping: `{ seed: "random_seed" }`. */
  renameFields?: Readonly<Record<string, string>>;
  /** Drop `name` from every message (Groq and Mistral reject it). */
  dropMessageName?: boolean;
  /** How this vendor spells `tool_choice: "required"`. */
  toolChoiceRequired?: string;
  /** Tool-call ids this vendor accepts; others are mapped deterministically on call and result. */
  toolCallIds?: "alnum9";
  /** Largest `n` the vendor accepts; a larger one is a 422 rather than a silently different answer. */
  maxN?: number;
  /** Whether the vendor understands `stream_options.include_usage` (else usage comes on the finish chunk). */
  streamOptions?: boolean;
  /** Fields added to every request (Fireworks: error instead of silently shrinking max_tokens). */
  extraBody?: Readonly<Record<string, unknown>>;
  /** Model-specific drops, e.g. DeepSeek's reasoner errors on logprobs. */
  modelDropFields?: readonly { match: RegExp; fields: readonly string[] }[];
}

/** Mistral's accepted chat fields; anything else is answered with 422 `extra_forbidden`. */
const MISTRAL_FIELDS = [
  "model",
  "messages",
  "temperature",
  "top_p",
  "max_tokens",
  "stream",
  "stop",
  "random_seed",
  "response_format",
  "tools",
  "tool_choice",
  "presence_penalty",
  "frequency_penalty",
  "n",
  "parallel_tool_calls",
  "prediction",
  "safe_prompt",
  "seed",
  "max_completion_tokens",
] as const;

export const QUIRKS: Readonly<Record<string, VendorQuirks>> = {
  openai: { streamOptions: true },
  groq: {
    streamOptions: true,
    dropFields: ["logprobs", "logit_bias", "top_logprobs"],
    dropMessageName: true,
    maxN: 1,
  },
  together: { streamOptions: true },
  mistral: {
    streamOptions: false,
    allowFields: MISTRAL_FIELDS,
    renameFields: { seed: "random_seed", max_completion_tokens: "max_tokens" },
    dropMessageName: true,
    toolChoiceRequired: "any",
    toolCallIds: "alnum9",
  },
  deepseek: {
    streamOptions: true,
    modelDropFields: [{ match: /reasoner/, fields: ["logprobs", "top_logprobs"] }],
  },
  xai: { streamOptions: true },
  fireworks: { streamOptions: true, extraBody: { context_length_exceeded_behavior: "error" } },
  openrouter: { streamOptions: true },
  perplexity: { streamOptions: true },
  ollama: { streamOptions: true, dropFields: ["tool_choice", "logit_bias", "user", "n"] },
};
