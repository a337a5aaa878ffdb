import { z } from "zod";
import type { ProviderConfig } from "../config/config.js";

/**
 * The `routing` section of the config file: how one public model name is served by several
 * deployments, and how failed upstream calls are retried and cooled down. Resolved into
 * `RoutingConfig` once, at start-up; nothing here is read per request.
 */

export type Strategy = "priority" | "weighted" | "least-busy" | "latency";
export const STRATEGIES: readonly Strategy[] = ["priority", "weighted", "least-busy", "latency"];

export interface RetryPolicy {
  /** Extra attempts per requested model after the first (a request may lower or raise it per call). */
  retries: number;
  /** Backoff before re-trying a deployment already tried: base · 2^n, capped, with jitter. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A vendor's `Retry-After` is waited out up to this; past it the deployment is skipped instead. */
  maxRetryAfterMs: number;
  /** No new attempt starts later than this after the request arrived. */
  deadlineMs: number;
}

export interface CooldownPolicy {
  /** Retryable failures of one deployment within `windowMs` that take it out of rotation. */
  failures: number;
  windowMs: number;
  /** How long it stays out before one probe request may try it again. */
  cooldownMs: number;
  /** Upper bound on a cooldown set from a vendor's `Retry-After`. */
  maxCooldownMs: number;
}

/** One deployment of a public model, its provider resolved (with its own credential or base URL). */
export interface DeploymentSpec {
  /** Unique across the config; names the deployment in headers, usage events and health state. */
  id: string;
  /** `provider/model` to call; its price is this name's. */
  model: string;
  weight: number;
  provider: ProviderConfig;
  upstreamModel: string;
}

export interface ModelGroupSpec {
  strategy: Strategy;
  deployments: readonly DeploymentSpec[];
}

export interface RoutingConfig {
  retry: RetryPolicy;
  cooldown: CooldownPolicy;
  /** Public model name → its deployments. A name not listed here routes to `provider/model` directly. */
  models: ReadonlyMap<string, ModelGroupSpec>;
}

/** Hard ceiling for `x-meshapi-retries`, whatever the config says. */
export const MAX_RETRIES = 10;

export const ROUTING_DEFAULTS: { retry: RetryPolicy; cooldown: CooldownPolicy } = {
  retry: { retries: 2, baseDelayMs: 200, maxDelayMs: 4_000, maxRetryAfterMs: 10_000, deadlineMs: 60_000 },
  cooldown: { failures: 3, windowMs: 60_000, cooldownMs: 30_000, maxCooldownMs: 300_000 },
};

const ms = z.number().int().nonnegative();
const deploymentIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$/, "letters, digits and . _ : / - (at most 128)");

export const routingFileSchema = z.strictObject({
  retries: z
    .strictObject({
      max: z.number().int().min(0).max(MAX_RETRIES).optional(),
      baseDelayMs: ms.optional(),
      maxDelayMs: ms.optional(),
      maxRetryAfterMs: ms.optional(),
      deadlineMs: z.number().int().positive().optional(),
    })
    .optional(),
  cooldown: z
    .strictObject({
      failures: z.number().int().positive().optional(),
      windowMs: z.number().int().positive().optional(),
      cooldownMs: ms.optional(),
      maxCooldownMs: ms.optional(),
    })
    .optional(),
  models: z
    .record(
      z.string().min(1).max(200),
      z.strictObject({
        strategy: z.enum(STRATEGIES as [Strategy, ...Strategy[]]).optional(),
        deployments: z
          .array(
            z.strictObject({
              id: deploymentIdSchema.optional(),
              model: z.string().includes("/"),
              weight: z.number().positive().max(1e6).optional(),
              apiKeyEnv: z
                .string()
                .regex(/^[A-Z_][A-Z0-9_]*$/)
                .optional(),
              baseUrl: z.url().optional(),
            }),
          )
          .min(1),
      }),
    )
    .optional(),
});
export type RoutingFile = z.infer<typeof routingFileSchema>;

/**
 * Fills defaults, names deployments and resolves their providers; throws a plain Error (the caller
 * wraps it) for a duplicate id or an unknown provider. A deployment may name its own credential
 * variable or base URL: several API keys or regions of one provider behind one public name.
 */
export function resolveRoutingConfig(
  file: RoutingFile | undefined,
  providers: ReadonlyMap<string, ProviderConfig>,
  env: Readonly<Record<string, string | undefined>>,
): RoutingConfig {
  const r = file?.retries;
  const c = file?.cooldown;
  const d = ROUTING_DEFAULTS;
  const models = new Map<string, ModelGroupSpec>();
  const seen = new Set<string>();
  for (const [name, group] of Object.entries(file?.models ?? {})) {
    const deployments = group.deployments.map((dep, i) => {
      const id = dep.id ?? (group.deployments.length === 1 ? name : `${name}#${i + 1}`);
      if (seen.has(id)) throw new Error(`routing: deployment id "${id}" is used twice`);
      seen.add(id);
      const slash = dep.model.indexOf("/");
      const base = providers.get(dep.model.slice(0, slash));
      if (!base) {
        throw new Error(
          `routing: deployment "${id}" names provider "${dep.model.slice(0, slash)}", which is not configured`,
        );
      }
      const provider: ProviderConfig =
        dep.apiKeyEnv === undefined && dep.baseUrl === undefined
          ? base
          : {
              ...base,
              ...(dep.apiKeyEnv === undefined
                ? {}
                : { apiKeyEnv: dep.apiKeyEnv, apiKey: env[dep.apiKeyEnv] || undefined }),
              ...(dep.baseUrl === undefined ? {} : { baseUrl: dep.baseUrl.replace(/\/+$/, "") }),
            };
      return {
        id,
        model: dep.model,
        weight: dep.weight ?? 1,
        provider,
        upstreamModel: dep.model.slice(slash + 1),
      };
    });
    models.set(name, { strategy: group.strategy ?? "priority", deployments });
  }
  return {
    retry: {
      retries: r?.max ?? d.retry.retries,
      baseDelayMs: r?.baseDelayMs ?? d.retry.baseDelayMs,
      maxDelayMs: r?.maxDelayMs ?? d.retry.maxDelayMs,
      maxRetryAfterMs: r?.maxRetryAfterMs ?? d.retry.maxRetryAfterMs,
      deadlineMs: r?.deadlineMs ?? d.retry.deadlineMs,
    },
    cooldown: {
      failures: c?.failures ?? d.cooldown.failures,
      windowMs: c?.windowMs ?? d.cooldown.windowMs,
      cooldownMs: c?.cooldownMs ?? d.cooldown.cooldownMs,
      maxCooldownMs: c?.maxCooldownMs ?? d.cooldown.maxCooldownMs,
    },
    models,
  };
}
