import type { DeploymentStats } from "./deployment-stats.js";
import type { Deployment } from "./deployments.js";
import type { Strategy } from "./routing-config.js";

/** A random number in [0, 1); injectable so tests can pin the weighted draw. */
export type Random = () => number;

/**
 * A strategy's order of preference among a model's deployments: the first is tried first, the rest
 * are where retries fail over to. Health is not a strategy's concern (the router moves cooling
 * deployments to the back).
 *
 * - priority: the configured order.
 * - weighted: a weighted random draw without replacement, so the first choice is deployment i with
 *   probability weight_i / Σ weights, and each failover is drawn the same way from the rest.
 * - least-busy: fewest requests in flight at this process first; ties keep the configured order.
 * - latency: lowest moving-average answer time first; a deployment never measured goes first, so
 *   a new deployment is tried instead of starved.
 */
export function orderDeployments(
  strategy: Strategy,
  deployments: readonly Deployment[],
  stats: DeploymentStats,
  random: Random = Math.random,
): readonly Deployment[] {
  if (deployments.length <= 1 || strategy === "priority") return deployments;
  switch (strategy) {
    case "weighted":
      return weightedOrder(deployments, random);
    case "least-busy":
      return stableSort(deployments, (d) => stats.inFlight(d.id));
    case "latency":
      return stableSort(deployments, (d) => stats.latencyMs(d.id) ?? -1);
  }
}

function weightedOrder(deployments: readonly Deployment[], random: Random): Deployment[] {
  const pool = deployments.slice();
  const out: Deployment[] = [];
  let total = pool.reduce((sum, d) => sum + d.weight, 0);
  while (pool.length > 1) {
    let r = random() * total;
    let i = 0;
    for (; i < pool.length - 1; i++) {
      r -= (pool[i] as Deployment).weight;
      if (r < 0) break;
    }
    const [picked] = pool.splice(i, 1) as [Deployment];
    total -= picked.weight;
    out.push(picked);
  }
  out.push(pool[0] as Deployment);
  return out;
}

function stableSort(deployments: readonly Deployment[], score: (d: Deployment) => number): Deployment[] {
  return deployments
    .map((d, i) => ({ d, i, s: score(d) }))
    .sort((a, b) => a.s - b.s || a.i - b.i)
    .map((x) => x.d);
}
