import { ConfigError } from "../config/config.js";

/** What the operator asked of metrics and tracing; read from the environment only. */
export interface ObserveConfig {
  /** False (MESHAPI_METRICS=false): no `/metrics` route and no metric bookkeeping. */
  metrics: boolean;
  /** When set, `/metrics` answers only `Authorization: Bearer <token>`. */
  metricsToken: string | undefined;
  /** Distinct `provider/model` values kept as metric labels; the rest are counted as model "other". */
  metricsMaxModels: number;
  tracing: TracingConfig | undefined;
}

export interface TracingConfig {
  /** Where spans go: the OTLP/HTTP traces URL (`…/v1/traces`). */
  tracesUrl: string;
  serviceName: string;
  /** Prompts and completions as span attributes; off unless MESHAPI_OTEL_CAPTURE_CONTENT=true. */
  captureContent: boolean;
}

export const DEFAULT_METRICS_MAX_MODELS = 200;

/**
 * Tracing follows OpenTelemetry's own variables: `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` is the full
 * traces URL, `OTEL_EXPORTER_OTLP_ENDPOINT` a base to which `/v1/traces` is appended (as the spec
 * says), `OTEL_SDK_DISABLED=true` wins over both.
 */
export function loadObserveConfig(env: NodeJS.ProcessEnv): ObserveConfig {
  return {
    metrics: bool(env, "MESHAPI_METRICS") ?? true,
    metricsToken: env.MESHAPI_METRICS_TOKEN || undefined,
    metricsMaxModels: positiveInt(env, "MESHAPI_METRICS_MAX_MODELS") ?? DEFAULT_METRICS_MAX_MODELS,
    tracing: tracingConfig(env),
  };
}

function tracingConfig(env: NodeJS.ProcessEnv): TracingConfig | undefined {
  if (env.OTEL_SDK_DISABLED === "true") return undefined;
  const full = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT;
  const tracesUrl = full || (base ? `${base.replace(/\/+$/, "")}/v1/traces` : undefined);
  if (!tracesUrl) return undefined;
  if (!URL.canParse(tracesUrl)) throw new ConfigError(`the OTLP endpoint "${tracesUrl}" is not a URL`);
  return {
    tracesUrl,
    serviceName: env.OTEL_SERVICE_NAME || "meshapi",
    captureContent: bool(env, "MESHAPI_OTEL_CAPTURE_CONTENT") ?? false,
  };
}

function bool(env: NodeJS.ProcessEnv, name: string): boolean | undefined {
  const raw = env[name];
  if (raw === undefined || raw === "") return undefined;
  if (raw === "true" || raw === "false") return raw === "true";
  throw new ConfigError(`${name} must be "true" or "false", got "${raw}"`);
}

function positiveInt(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === "") return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0)
    throw new ConfigError(`${name} must be a positive integer, got "${raw}"`);
  return n;
}
