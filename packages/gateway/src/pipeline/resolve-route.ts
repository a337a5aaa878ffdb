import { type GatewayConfig, isConfigured, type ProviderConfig } from "../config/config.js";
import type { ModelPrice } from "../config/prices.js";
import { GatewayError } from "../errors/catalog.js";

/** Where one candidate model of a request goes. Shared between requests (cached), so read-only. */
export interface RouteTarget {
  /** What the client asked for and sees echoed back: `provider/model`. */
  readonly publicModel: string;
  readonly provider: ProviderConfig;
  readonly upstreamModel: string;
  readonly price: ModelPrice | undefined;
}

/** The request's model (or the default) followed by its `models` fallbacks, without repeats. */
export function resolveRoutes(
  config: GatewayConfig,
  model: string | undefined,
  fallbacks: readonly string[] = [],
): RouteTarget[] {
  const first = model ?? config.defaultModel;
  if (fallbacks.length === 0) return [resolveTarget(config, first)];
  const names = [...new Set([first, ...fallbacks])];
  return names.map((name) => resolveTarget(config, name));
}

/** Resolved targets per config; the config never changes while the gateway runs. */
const resolved = new WeakMap<GatewayConfig, Map<string, RouteTarget>>();
/** Model names come from clients: remember this many at most rather than trust their variety. */
const MAX_CACHED_TARGETS = 1000;

/** Where `publicModel` goes; throws 404 model_not_found for an unknown or unconfigured provider. */
export function resolveTarget(config: GatewayConfig, publicModel: string): RouteTarget {
  let byName = resolved.get(config);
  if (!byName) {
    byName = new Map();
    resolved.set(config, byName);
  }
  let target = byName.get(publicModel);
  if (!target) {
    target = lookupTarget(config, publicModel);
    if (byName.size < MAX_CACHED_TARGETS) byName.set(publicModel, target);
  }
  return target;
}

function lookupTarget(config: GatewayConfig, publicModel: string): RouteTarget {
  const slash = publicModel.indexOf("/");
  const providerName = slash > 0 ? publicModel.slice(0, slash) : "";
  const upstreamModel = publicModel.slice(slash + 1);
  const provider = config.providers.get(providerName);
  if (!provider || !upstreamModel) {
    const known = [...config.providers.keys()].join(", ");
    throw new GatewayError(
      "model_not_found",
      `Unknown model "${publicModel}": use provider/model with one of these providers: ${known}.`,
      { param: "model" },
    );
  }
  if (!isConfigured(provider)) {
    throw new GatewayError(
      "model_not_found",
      `Provider "${provider.name}" is not configured: set ${provider.apiKeyEnv} (and optionally ${provider.baseUrlEnv}) where the gateway runs.`,
      { param: "model" },
    );
  }
  return { publicModel, provider, upstreamModel, price: config.prices.get(publicModel) };
}
