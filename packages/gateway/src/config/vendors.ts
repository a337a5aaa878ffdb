import type { WireFormat } from "./config.js";

/**
 * Built-in vendors. Each reads `<ENV>_API_KEY` and `<ENV>_BASE_URL`. Most speak the OpenAI format;
 * Anthropic and Google have native adapters (providers/anthropic, providers/gemini).
 */
export interface VendorDefinition {
  name: string;
  envPrefix: string;
  /** Wire format of the vendor's API; "openai" when absent. */
  format?: WireFormat;
  /** Read when `<ENV>_API_KEY` is unset (Google's SDKs also read GOOGLE_API_KEY). */
  apiKeyFallbackEnv?: string;
  /**
   * Base URL as the vendor's own SDK spells it: OpenAI-style URLs include the version path
   * (`…/v1`); Anthropic and Gemini take the bare origin.
   */
  defaultBaseUrl: string;
  /** Local servers need no key. */
  requiresKey: boolean;
  /** Known model ids, listed by GET /v1/models (any other id is still routed). */
  models: readonly string[];
}

export const BUILTIN_VENDORS: readonly VendorDefinition[] = [
  {
    name: "openai",
    envPrefix: "OPENAI",
    defaultBaseUrl: "https://api.openai.com/v1",
    requiresKey: true,
    models: [
      "gpt-5",
      "gpt-5-mini",
      "gpt-5-nano",
      "gpt-4.1",
      "gpt-4.1-mini",
      "gpt-4.1-nano",
      "gpt-4o",
      "gpt-4o-mini",
      "o3",
      "o4-mini",
    ],
  },
  {
    name: "anthropic",
    envPrefix: "ANTHROPIC",
    format: "anthropic",
    defaultBaseUrl: "https://api.anthropic.com",
    requiresKey: true,
    models: [
      "claude-opus-4-6",
      "claude-sonnet-4-6",
      "claude-opus-4-5",
      "claude-sonnet-4-5",
      "claude-haiku-4-5",
      "claude-opus-4-1",
      "claude-opus-4-0",
      "claude-sonnet-4-0",
    ],
  },
  {
    name: "google",
    envPrefix: "GEMINI",
    format: "gemini",
    apiKeyFallbackEnv: "GOOGLE_API_KEY",
    defaultBaseUrl: "https://generativelanguage.googleapis.com",
    requiresKey: true,
    models: [
      "gemini-3-pro-preview",
      "gemini-3-flash-preview",
      "gemini-2.5-pro",
      "gemini-2.5-flash",
      "gemini-2.5-flash-lite",
      "gemini-2.0-flash",
      "gemini-2.0-flash-lite",
    ],
  },
  {
    name: "groq",
    envPrefix: "GROQ",
    defaultBaseUrl: "https://api.groq.com/openai/v1",
    requiresKey: true,
    models: ["llama-3.3-70b-versatile", "llama-3.1-8b-instant"],
  },
  {
    name: "together",
    envPrefix: "TOGETHER",
    defaultBaseUrl: "https://api.together.xyz/v1",
    requiresKey: true,
    models: ["meta-llama/Llama-3.3-70B-Instruct-Turbo"],
  },
  {
    name: "mistral",
    envPrefix: "MISTRAL",
    defaultBaseUrl: "https://api.mistral.ai/v1",
    requiresKey: true,
    models: ["mistral-large-latest", "mistral-small-latest"],
  },
  {
    name: "deepseek",
    envPrefix: "DEEPSEEK",
    defaultBaseUrl: "https://api.deepseek.com/v1",
    requiresKey: true,
    models: ["deepseek-chat", "deepseek-reasoner"],
  },
  {
    name: "xai",
    envPrefix: "XAI",
    defaultBaseUrl: "https://api.x.ai/v1",
    requiresKey: true,
    models: ["grok-3", "grok-3-mini"],
  },
  {
    name: "fireworks",
    envPrefix: "FIREWORKS",
    defaultBaseUrl: "https://api.fireworks.ai/inference/v1",
    requiresKey: true,
    models: ["accounts/fireworks/models/llama-v3p3-70b-instruct"],
  },
  {
    name: "openrouter",
    envPrefix: "OPENROUTER",
    defaultBaseUrl: "https://openrouter.ai/api/v1",
    requiresKey: true,
    models: [],
  },
  {
    name: "perplexity",
    envPrefix: "PERPLEXITY",
    defaultBaseUrl: "https://api.perplexity.ai",
    requiresKey: true,
    models: ["sonar", "sonar-pro"],
  },
  {
    name: "ollama",
    envPrefix: "OLLAMA",
    defaultBaseUrl: "http://127.0.0.1:11434/v1",
    requiresKey: false,
    models: [],
  },
];
