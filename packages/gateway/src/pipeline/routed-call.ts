import type { GatewayConfig } from "../config/config.js";
import { type Deployment, type ModelRoute, resolveModelRoute } from "../routing/deployments.js";
import { checkModelAccess } from "../routing/model-access.js";
import type { RoutePlan, Router } from "../routing/router.js";
import type { ApiKeyRecord } from "../store/types.js";
import type { Accounting } from "./accounting.js";

/** What a pipeline needs to call providers through the router. */
export interface RoutedDeps {
  config: GatewayConfig;
  router: Router;
}

/** The parts of an exchange the router reads. */
export interface RoutedExchange {
  requestId: string;
  key: ApiKeyRecord;
  startedAt: number;
  signal: RoutePlan["signal"];
  /** `x-meshapi-retries`; the configured number when undefined. */
  retries?: number | undefined;
  setHeader?: ((name: string, value: string) => void) | undefined;
}

/**
 * The route of one public model for the routes without `models` fallbacks (`/v1/embeddings`,
 * `/v1/messages`, `/v1/responses`): 403 when the key may not use it, 404 when it is unknown.
 */
export function routeOne(deps: RoutedDeps, key: ApiKeyRecord, publicModel: string): ModelRoute {
  checkModelAccess(key, publicModel);
  return resolveModelRoute(deps.config, publicModel);
}

/**
 * The route's deployments that `keep` accepts: a pass-through can only call deployments that speak the
 * vendor's own API, embeddings only those whose format has an embeddings API. It may leave none: the
 * caller says why.
 */
export function narrow(route: ModelRoute, keep: (d: Deployment) => boolean): ModelRoute {
  return route.deployments.every(keep) ? route : { ...route, deployments: route.deployments.filter(keep) };
}

/** Calls `attempt` per deployment through the router (strategy, retries, cooldowns), logging attempts. */
export function callRouted<T>(
  deps: RoutedDeps,
  ex: RoutedExchange,
  acct: Accounting,
  routes: readonly ModelRoute[],
  attempt: (d: Deployment) => Promise<T>,
): Promise<T> {
  const plan: RoutePlan = {
    routes,
    retries: ex.retries ?? deps.config.routing.retry.retries,
    startedAt: ex.startedAt,
    signal: ex.signal,
    requestId: ex.requestId,
  };
  return deps.router.call(plan, acct.attempts, attempt);
}

/** `x-meshapi-provider`, `-deployment`, `-attempts` and `-overhead-ms` on the answer about to be sent. */
export function routingHeaders(ex: RoutedExchange, acct: Accounting): void {
  const set = ex.setHeader;
  const d = acct.attempts.deployment;
  if (!set || !d) return;
  set("x-meshapi-provider", d.provider.name);
  set("x-meshapi-deployment", d.id);
  set("x-meshapi-attempts", String(acct.attempts.records.length));
  set("x-meshapi-overhead-ms", acct.overheadMs().toFixed(2));
}

/** The deployment that answered: call only after `callRouted` resolved. */
export function answered(acct: Accounting): Deployment {
  return acct.attempts.deployment as Deployment;
}
