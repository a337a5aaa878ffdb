/**
 * What the Anthropic adapter needs to know per Claude model: the wire id, the default `max_tokens`
 * (required by the API, usually absent from OpenAI requests) and which sampling parameters it takes.
 * Derived from the model id's family and version, so snapshots (`-20250929`) and dotted aliases
 * (`claude-sonnet-4.5`) resolve like their base model.
 */
export interface ClaudeModel {
  /** The id sent to the API: dotted versions spelled with dashes. */
  id: string;
  /** Used as `max_tokens` when the request sets none: the model's output limit. */
  defaultMaxTokens: number;
  /** Models after Opus 4.6 accept only default sampling: temperature/top_p/top_k are dropped. */
  fixedSampling: boolean;
  /** Opus 4.1 and later, Sonnet/Haiku 4.5 and later: `temperature` and `top_p` not both. */
  oneSamplingParameter: boolean;
  /** Structured outputs (`output_config.format`), i.e. `response_format: json_schema`. */
  structuredOutputs: boolean;
}

interface Version {
  family: string;
  major: number;
  minor: number;
}

/** Unknown ids get a conservative limit every Claude model accepts. */
const FALLBACK_MAX_TOKENS = 4096;

/** `claude-sonnet-4-5…`, `claude-opus-4…`; and the older `claude-3-5-haiku…` order. */
const NEW_STYLE = /^claude-(opus|sonnet|haiku)-(\d+)(?:-(\d))?(?:-|$)/;
const OLD_STYLE = /^claude-(\d+)(?:-(\d))?-(opus|sonnet|haiku)(?:-|$)/;

export function parseClaudeVersion(id: string): Version | undefined {
  const modern = NEW_STYLE.exec(id);
  if (modern) return { family: modern[1] as string, major: Number(modern[2]), minor: Number(modern[3] ?? 0) };
  const legacy = OLD_STYLE.exec(id);
  if (legacy) return { family: legacy[3] as string, major: Number(legacy[1]), minor: Number(legacy[2] ?? 0) };
  return undefined;
}

/** `claude-sonnet-4.5` → `claude-sonnet-4-5`; other ids unchanged. */
export function claudeWireId(model: string): string {
  return model.startsWith("claude-") ? model.replace(/(\d)\.(\d)/g, "$1-$2") : model;
}

const atLeast = (v: Version, major: number, minor: number) =>
  v.major > major || (v.major === major && v.minor >= minor);

function maxOutputTokens(v: Version): number {
  if (atLeast(v, 4, 5)) return 64_000;
  if (v.major === 4) return v.family === "opus" ? 32_000 : 64_000;
  if (v.major === 3 && v.minor === 7) return 64_000;
  if (v.major === 3 && v.minor === 5) return 8_192;
  return FALLBACK_MAX_TOKENS;
}

export function claudeModel(upstreamModel: string): ClaudeModel {
  const id = claudeWireId(upstreamModel);
  const v = parseClaudeVersion(id);
  if (!v) {
    return {
      id,
      defaultMaxTokens: FALLBACK_MAX_TOKENS,
      fixedSampling: false,
      oneSamplingParameter: false,
      // Unknown (newer or custom) models: let the API decide rather than refusing up front.
      structuredOutputs: true,
    };
  }
  return {
    id,
    defaultMaxTokens: maxOutputTokens(v),
    fixedSampling: atLeast(v, 4, 7),
    oneSamplingParameter: v.family === "opus" ? atLeast(v, 4, 1) : atLeast(v, 4, 5),
    structuredOutputs: v.family === "opus" ? atLeast(v, 4, 1) : atLeast(v, 4, 5),
  };
}
