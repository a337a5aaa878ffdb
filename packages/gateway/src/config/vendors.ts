/** Built-in OpenAI-compatible vendors. Each reads `<ENV>_API_KEY` and `<ENV>_BASE_URL`. */
export interface VendorDefinition {
  name: string;
  envPrefix: string;
  /** OpenAI-style base URL, including the version path. */
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
