import { readFileSync } from "node:fs";
import { z } from "zod";
import { type CacheConfig, loadCacheConfig } from "../cache/cache-config.js";
import { loadServerLimits, type ServerLimits } from "../http/server-limits.js";
import { loadObserveConfig, type ObserveConfig } from "../observe/observe-config.js";
import { allowList } from "../providers/gemini/remote-image.js";
import { QUIRKS, type VendorQuirks } from "../providers/quirks.js";
import {
  MAX_RETRIES,
  type RoutingConfig,
  resolveRoutingConfig,
  routingFileSchema,
} from "../routing/routing-config.js";
import { type AuthFailureSettings, loadAuthFailureSettings } from "../security/auth-failures.js";
import { BUILTIN_PRICES, type ModelPrice, type PriceCatalog } from "./prices.js";
import { BUILTIN_VENDORS } from "./vendors.js";

export interface TimeoutConfig {
  /** TCP + TLS connect. */
  connectMs: number;
  /** From sending the request to the upstream's response headers (for non-streaming: the whole generation). */
  firstByteMs: number;
  /** Longest silence allowed between two body chunks of a response. */
  idleMs: number;
  /**
   * The whole upstream call, from sending the request to the last byte of the answer (a stream's too):
   * ends an upstream that drips bytes just often enough to keep `idleMs` from firing.
   */
  totalMs: number;
}

export type WireFormat = "openai" | "anthropic" | "gemini";

/**
 * Whether an adapter that must download image URLs itself (Gemini takes only inline data) may do so:
 * "public" refuses hosts that resolve to loopback, private or link-local addresses (so a client cannot
 * make the gateway read its own network), "any" allows them, "off" refuses every download.
 */
export type RemoteImagePolicy = "public" | "any" | "off";

export interface ProviderConfig {
  name: string;
  format: WireFormat;
  baseUrl: string;
  apiKey: string | undefined;
  /** The variable that holds the key, named in error messages when it is missing. */
  apiKeyEnv: string;
  baseUrlEnv: string;
  requiresKey: boolean;
  headers: Readonly<Record<string, string>>;
  models: readonly string[];
  timeouts: TimeoutConfig;
  /** Largest single upstream event (one SSE event, or a whole non-streaming body) the gateway reads. */
  maxEventBytes: number;
  quirks: VendorQuirks;
  /** From MESHAPI_REMOTE_IMAGES; "public" when absent. */
  remoteImages?: RemoteImagePolicy;
  /** From MESHAPI_REMOTE_IMAGES_ALLOW: CIDR ranges the "public" policy may still download from. */
  remoteImageAllow?: readonly string[];
}

export interface GatewayConfig {
  host: string;
  port: number;
  dataDir: string;
  databaseUrl: string | undefined;
  adminToken: string | undefined;
  logLevel: string;
  defaultModel: string;
  bodyLimitBytes: number;
  shutdownGraceMs: number;
  keyPollIntervalMs: number;
  /** `redis://…`: rate windows and spend live in Redis, shared by every instance; else in process. */
  redisUrl: string | undefined;
  /** Prefix of every Redis key the gateway writes. */
  redisPrefix: string;
  /** Whether a key busy at this instance may take leases (shared mode; see limits/lease.ts). */
  redisLeases: boolean;
  /** When Redis cannot be reached: "open" admits keys with rate limits unchecked, "closed" answers 503. */
  onLimiterDown: "open" | "closed";
  /** The same for keys with a spend cap; "closed" by default, since an unchecked cap can overspend. */
  onSpendDown: "open" | "closed";
  /** Completion tokens a spend reservation assumes for a request without max_tokens. */
  defaultReservationTokens: number;
  /** How long a template named in chat requests is cached (writes on other instances show up after it). */
  templateCacheMs: number;
  /**
   * Whether usage events are written to the store. Off: no /v1/usage reports and spend caps restart
   * from zero when their counters do (restart in embedded mode, Redis data lost); responses still
   * carry usage and cost, and caps are still enforced while the counters live.
   */
  recordUsage: boolean;
  /** The response cache's switch and bounds (MESHAPI_CACHE_*). */
  cache: CacheConfig;
  providers: ReadonlyMap<string, ProviderConfig>;
  prices: PriceCatalog;
  /** Deployments per public model, retries and cooldowns (the file's `routing` section). */
  routing: RoutingConfig;
  /** Metrics and tracing (see observe/observe-config.ts). */
  observe: ObserveConfig;
  /** Header/request/keep-alive timeouts and header, connection caps (see http/server-limits.ts). */
  server: ServerLimits;
  /** The per-address failed-auth limit (see security/auth-failures.ts). */
  authFailures: AuthFailureSettings;
}

export const DEFAULTS = {
  host: "127.0.0.1",
  port: 8787,
  dataDir: ".meshapi",
  logLevel: "info",
  defaultModel: "openai/gpt-4o",
  bodyLimitBytes: 20 * 1024 * 1024,
  shutdownGraceMs: 10_000,
  keyPollIntervalMs: 1_000,
  redisPrefix: "meshapi:",
  defaultReservationTokens: 4_096,
  templateCacheMs: 2_000,
  timeouts: {
    connectMs: 10_000,
    firstByteMs: 120_000,
    idleMs: 60_000,
    totalMs: 600_000,
  } satisfies TimeoutConfig,
  // Above any real event (inline images included), far below what would strain the process.
  upstreamMaxEventBytes: 16 * 1024 * 1024,
} as const;

const positiveInt = z.number().int().positive();
const timeoutsSchema = z.strictObject({
  connectMs: positiveInt.optional(),
  firstByteMs: positiveInt.optional(),
  idleMs: positiveInt.optional(),
  totalMs: positiveInt.optional(),
});
const priceSchema = z.strictObject({
  input: z.number().nonnegative(),
  output: z.number().nonnegative(),
  cachedInput: z.number().nonnegative().optional(),
  cacheWrite: z.number().nonnegative().optional(),
});
const providerNameSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, "lowercase letters, digits, - and _");

/** The optional JSON config file (`--config`). Unknown keys are errors: a typo must not pass silently. */
export const configFileSchema = z.strictObject({
  defaultModel: z.string().includes("/").optional(),
  bodyLimitBytes: positiveInt.optional(),
  shutdownGraceMs: z.number().int().nonnegative().optional(),
  defaultReservationTokens: positiveInt.optional(),
  usage: z.strictObject({ record: z.boolean().optional() }).optional(),
  onRedisDown: z
    .strictObject({
      limits: z.enum(["open", "closed"]).optional(),
      spend: z.enum(["open", "closed"]).optional(),
    })
    .optional(),
  timeouts: timeoutsSchema.optional(),
  upstreamMaxEventBytes: positiveInt.optional(),
  providers: z
    .record(
      providerNameSchema,
      z.strictObject({
        format: z.enum(["openai", "anthropic", "gemini"]).optional(),
        baseUrl: z.url().optional(),
        apiKeyEnv: z
          .string()
          .regex(/^[A-Z_][A-Z0-9_]*$/)
          .optional(),
        requiresKey: z.boolean().optional(),
        headers: z.record(z.string(), z.string()).optional(),
        models: z.array(z.string().min(1)).optional(),
        timeouts: timeoutsSchema.optional(),
      }),
    )
    .optional(),
  prices: z.record(z.string().includes("/"), priceSchema).optional(),
  routing: routingFileSchema.optional(),
});
export type ConfigFile = z.infer<typeof configFileSchema>;

export interface ConfigInputs {
  env: NodeJS.ProcessEnv;
  /** Path of the JSON config file, if any. */
  configPath?: string | undefined;
  /** Command-line values; they win over env and file. */
  overrides?: Partial<Pick<GatewayConfig, "host" | "port" | "dataDir">>;
}

/** Thrown for a config the gateway cannot start with; the CLI prints the message and exits 1. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

export function loadConfig(inputs: ConfigInputs): GatewayConfig {
  const file = inputs.configPath ? readConfigFile(inputs.configPath) : {};
  const env = inputs.env;
  const globalTimeouts: TimeoutConfig = {
    connectMs:
      envInt(env, "MESHAPI_UPSTREAM_CONNECT_TIMEOUT_MS") ??
      file.timeouts?.connectMs ??
      DEFAULTS.timeouts.connectMs,
    firstByteMs:
      envInt(env, "MESHAPI_UPSTREAM_FIRST_BYTE_TIMEOUT_MS") ??
      file.timeouts?.firstByteMs ??
      DEFAULTS.timeouts.firstByteMs,
    idleMs:
      envInt(env, "MESHAPI_UPSTREAM_IDLE_TIMEOUT_MS") ?? file.timeouts?.idleMs ?? DEFAULTS.timeouts.idleMs,
    totalMs:
      envInt(env, "MESHAPI_UPSTREAM_TOTAL_TIMEOUT_MS") ?? file.timeouts?.totalMs ?? DEFAULTS.timeouts.totalMs,
  };
  const prices = new Map<string, ModelPrice>(Object.entries(BUILTIN_PRICES));
  for (const [model, price] of Object.entries(file.prices ?? {})) prices.set(model, price);

  const maxEventBytes =
    envInt(env, "MESHAPI_UPSTREAM_MAX_EVENT_BYTES") ??
    file.upstreamMaxEventBytes ??
    DEFAULTS.upstreamMaxEventBytes;
  const providers = buildProviders(env, file, globalTimeouts, maxEventBytes);
  return {
    host: inputs.overrides?.host ?? env.MESHAPI_HOST ?? DEFAULTS.host,
    port: inputs.overrides?.port ?? envInt(env, "MESHAPI_PORT") ?? DEFAULTS.port,
    dataDir: inputs.overrides?.dataDir ?? env.MESHAPI_DATA_DIR ?? DEFAULTS.dataDir,
    databaseUrl: env.MESHAPI_DATABASE_URL || undefined,
    adminToken: env.MESHAPI_ADMIN_TOKEN || undefined,
    logLevel: env.MESHAPI_LOG_LEVEL ?? DEFAULTS.logLevel,
    defaultModel: env.MESHAPI_DEFAULT_MODEL ?? file.defaultModel ?? DEFAULTS.defaultModel,
    bodyLimitBytes: envInt(env, "MESHAPI_BODY_LIMIT_BYTES") ?? file.bodyLimitBytes ?? DEFAULTS.bodyLimitBytes,
    shutdownGraceMs:
      envInt(env, "MESHAPI_SHUTDOWN_GRACE_MS") ?? file.shutdownGraceMs ?? DEFAULTS.shutdownGraceMs,
    keyPollIntervalMs: envInt(env, "MESHAPI_KEY_POLL_INTERVAL_MS") ?? DEFAULTS.keyPollIntervalMs,
    redisUrl: env.MESHAPI_REDIS_URL || undefined,
    redisPrefix: env.MESHAPI_REDIS_PREFIX || DEFAULTS.redisPrefix,
    redisLeases: envBool(env, "MESHAPI_REDIS_LEASES") ?? true,
    onLimiterDown: failurePolicy(env, "MESHAPI_REDIS_DOWN_LIMITS") ?? file.onRedisDown?.limits ?? "open",
    onSpendDown: failurePolicy(env, "MESHAPI_REDIS_DOWN_SPEND") ?? file.onRedisDown?.spend ?? "closed",
    defaultReservationTokens:
      envInt(env, "MESHAPI_DEFAULT_RESERVATION_TOKENS") ??
      file.defaultReservationTokens ??
      DEFAULTS.defaultReservationTokens,
    templateCacheMs: envInt(env, "MESHAPI_TEMPLATE_CACHE_MS") ?? DEFAULTS.templateCacheMs,
    recordUsage: envBool(env, "MESHAPI_RECORD_USAGE") ?? file.usage?.record ?? true,
    cache: loadCacheConfig(env),
    providers,
    prices,
    routing: buildRouting(file, providers, env),
    observe: loadObserveConfig(env),
    server: loadServerLimits(env),
    authFailures: loadAuthFailureSettings(env),
  };
}

function buildRouting(
  file: ConfigFile,
  providers: ReadonlyMap<string, ProviderConfig>,
  env: NodeJS.ProcessEnv,
): RoutingConfig {
  try {
    const routing = resolveRoutingConfig(file.routing, providers, env);
    const retries = envInt(env, "MESHAPI_RETRIES");
    if (retries === undefined) return routing;
    if (retries > MAX_RETRIES)
      throw new Error(`MESHAPI_RETRIES must be at most ${MAX_RETRIES}, got ${retries}`);
    return { ...routing, retry: { ...routing.retry, retries } };
  } catch (err) {
    throw new ConfigError(`config: ${(err as Error).message}`);
  }
}

/** Built-in providers first, then the file's entries, which override a built-in of the same name. */
function buildProviders(
  env: NodeJS.ProcessEnv,
  file: ConfigFile,
  timeouts: TimeoutConfig,
  maxEventBytes: number,
): Map<string, ProviderConfig> {
  const providers = new Map<string, ProviderConfig>();
  const remoteImages = remoteImagePolicy(env);
  const remoteImageAllow = remoteImageAllowList(env);
  const add = (
    p: Omit<ProviderConfig, "apiKey" | "baseUrl"> & { defaultBaseUrl: string; apiKeyFallbackEnv?: string },
  ) => {
    const { defaultBaseUrl, apiKeyFallbackEnv, ...rest } = p;
    providers.set(p.name, {
      ...rest,
      apiKey: env[p.apiKeyEnv] || (apiKeyFallbackEnv ? env[apiKeyFallbackEnv] : undefined) || undefined,
      baseUrl: stripSlash(env[p.baseUrlEnv] || defaultBaseUrl),
      remoteImages,
      remoteImageAllow,
    });
  };
  for (const v of BUILTIN_VENDORS) {
    add({
      name: v.name,
      format: v.format ?? "openai",
      defaultBaseUrl: v.defaultBaseUrl,
      ...(v.apiKeyFallbackEnv ? { apiKeyFallbackEnv: v.apiKeyFallbackEnv } : {}),
      apiKeyEnv: `${v.envPrefix}_API_KEY`,
      baseUrlEnv: `${v.envPrefix}_BASE_URL`,
      requiresKey: v.requiresKey,
      headers: {},
      models: v.models,
      timeouts,
      maxEventBytes,
      quirks: QUIRKS[v.name] ?? {},
    });
  }
  for (const [name, entry] of Object.entries(file.providers ?? {})) {
    const builtin = providers.get(name);
    const envPrefix = name.toUpperCase().replace(/-/g, "_");
    if (!builtin && !entry.baseUrl) {
      throw new ConfigError(`config: provider "${name}" is not built in, so it needs a "baseUrl"`);
    }
    const apiKeyEnv = entry.apiKeyEnv ?? builtin?.apiKeyEnv ?? `${envPrefix}_API_KEY`;
    const baseUrlEnv = builtin?.baseUrlEnv ?? `${envPrefix}_BASE_URL`;
    providers.set(name, {
      name,
      format: entry.format ?? builtin?.format ?? "openai",
      apiKeyEnv,
      baseUrlEnv,
      // A built-in's key (with its fallback variable) stands unless the file names another variable.
      apiKey: env[apiKeyEnv] || (entry.apiKeyEnv === undefined ? builtin?.apiKey : undefined) || undefined,
      // An explicit baseUrl in the file wins over the built-in default but not over the env variable.
      baseUrl: stripSlash(env[baseUrlEnv] || entry.baseUrl || builtin?.baseUrl || ""),
      requiresKey: entry.requiresKey ?? builtin?.requiresKey ?? Boolean(entry.apiKeyEnv),
      headers: { ...builtin?.headers, ...entry.headers },
      models: entry.models ?? builtin?.models ?? [],
      timeouts: { ...(builtin?.timeouts ?? timeouts), ...entry.timeouts },
      maxEventBytes,
      quirks: builtin?.quirks ?? { streamOptions: true },
      remoteImages,
      remoteImageAllow,
    });
  }
  return providers;
}

/** A provider can be called when it has a key or needs none. */
export function isConfigured(p: ProviderConfig): boolean {
  return !p.requiresKey || p.apiKey !== undefined;
}

function readConfigFile(path: string): ConfigFile {
  let raw: string;
  try {
    raw = readFileSync(path, "utf8");
  } catch (err) {
    throw new ConfigError(`config: cannot read ${path}: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (err) {
    throw new ConfigError(`config: ${path} is not valid JSON: ${(err as Error).message}`);
  }
  const parsed = configFileSchema.safeParse(json);
  if (!parsed.success) {
    const first = parsed.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`)
      .join("; ");
    throw new ConfigError(`config: ${path} is invalid: ${first}`);
  }
  return parsed.data;
}

function remoteImagePolicy(env: NodeJS.ProcessEnv): RemoteImagePolicy {
  const raw = env.MESHAPI_REMOTE_IMAGES;
  if (raw === undefined || raw === "") return "public";
  if (raw === "public" || raw === "any" || raw === "off") return raw;
  throw new ConfigError(`MESHAPI_REMOTE_IMAGES must be "public", "any" or "off", got "${raw}"`);
}

function remoteImageAllowList(env: NodeJS.ProcessEnv): readonly string[] {
  const cidrs = (env.MESHAPI_REMOTE_IMAGES_ALLOW ?? "")
    .split(",")
    .map((c) => c.trim())
    .filter(Boolean);
  try {
    allowList(cidrs);
  } catch (err) {
    throw new ConfigError(`MESHAPI_REMOTE_IMAGES_ALLOW: ${(err as Error).message}`);
  }
  return cidrs;
}

function failurePolicy(env: NodeJS.ProcessEnv, name: string): "open" | "closed" | undefined {
  const raw = env[name];
  if (raw === undefined || raw === "") return undefined;
  if (raw === "open" || raw === "closed") return raw;
  throw new ConfigError(`${name} must be "open" or "closed", got "${raw}"`);
}

function envBool(env: NodeJS.ProcessEnv, name: string): boolean | undefined {
  const raw = env[name];
  if (raw === undefined || raw === "") return undefined;
  if (raw === "true" || raw === "false") return raw === "true";
  throw new ConfigError(`${name} must be "true" or "false", got "${raw}"`);
}

function envInt(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === "") return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0)
    throw new ConfigError(`${name} must be a non-negative integer, got "${raw}"`);
  return n;
}

function stripSlash(url: string): string {
  return url.replace(/\/+$/, "");
}
