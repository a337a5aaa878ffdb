import { type GatewayConfig, isConfigured } from "../config/config.js";
import { GatewayError } from "../errors/catalog.js";
import { memoByOwner } from "../memo.js";
import { type RouteTarget, resolveTarget } from "../pipeline/resolve-route.js";
import type { Strategy } from "./routing-config.js";

/** One way to serve a public model: a provider, its model id there, and the deployment's identity. */
export interface Deployment extends RouteTarget {
  /** Names the deployment in `x-meshapi-deployment`, usage events and health state. */
  readonly id: string;
  readonly weight: number;
}

/** A public model name with every deployment that may answer it. Shared between requests: read-only. */
export interface ModelRoute {
  readonly publicModel: string;
  readonly strategy: Strategy;
  readonly deployments: readonly Deployment[];
}

/**
 * The route of a public model name: its configured deployments (the config's `routing.models`), or
 * else the one implicit deployment `provider/model` (id = the model name). Throws 404 model_not_found
 * for an unknown name or when no deployment has credentials. Resolved once per config and name.
 */
export const resolveModelRoute: (config: GatewayConfig, publicModel: string) => ModelRoute =
  memoByOwner(lookupRoute);

function lookupRoute(config: GatewayConfig, publicModel: string): ModelRoute {
  const group = config.routing.models.get(publicModel);
  if (!group) {
    const target = resolveTarget(config, publicModel);
    return {
      publicModel,
      strategy: "priority",
      deployments: [{ ...target, id: publicModel, weight: 1 }],
    };
  }
  const deployments: Deployment[] = group.deployments
    .filter((d) => isConfigured(d.provider))
    .map((d) => ({
      id: d.id,
      weight: d.weight,
      publicModel,
      provider: d.provider,
      upstreamModel: d.upstreamModel,
      price: config.prices.get(d.model) ?? config.prices.get(publicModel),
    }));
  if (deployments.length === 0) {
    const vars = [...new Set(group.deployments.map((d) => d.provider.apiKeyEnv))].join(", ");
    throw new GatewayError(
      "model_not_found",
      `No deployment of "${publicModel}" has credentials: set ${vars} where the gateway runs.`,
      { param: "model" },
    );
  }
  return { publicModel, strategy: group.strategy, deployments };
}

/** The request's model (or the default) followed by its `models` fallbacks, without repeats. */
export function resolveModelRoutes(
  config: GatewayConfig,
  model: string | undefined,
  fallbacks: readonly string[] = [],
): ModelRoute[] {
  const first = model ?? config.defaultModel;
  if (fallbacks.length === 0) return [resolveModelRoute(config, first)];
  return [...new Set([first, ...fallbacks])].map((name) => resolveModelRoute(config, name));
}

/** Every deployment a request may reach, for the spend reservation's worst case. */
export function allDeployments(routes: readonly ModelRoute[]): readonly Deployment[] {
  return routes.length === 1 ? (routes[0] as ModelRoute).deployments : routes.flatMap((r) => r.deployments);
}
