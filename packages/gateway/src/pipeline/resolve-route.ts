import { type GatewayConfig, isConfigured, type ProviderConfig } from "../config/config.js";
import type { ModelPrice } from "../config/prices.js";
import { GatewayError } from "../errors/catalog.js";
import { memoByOwner } from "../memo.js";

/** Where one candidate model of a request goes. Shared between requests (cached), so read-only. */
export interface RouteTarget {
  /** What the client asked for and sees echoed back: `provider/model`. */
  readonly publicModel: string;
  readonly provider: ProviderConfig;
  readonly upstreamModel: string;
  readonly price: ModelPrice | undefined;
}

/**
 * Where `publicModel` goes; throws 404 model_not_found for an unknown or unconfigured provider.
 * Resolved once per config and model name (the config never changes while the gateway runs).
 */
export const resolveTarget: (config: GatewayConfig, publicModel: string) => RouteTarget =
  memoByOwner(lookupTarget);

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
