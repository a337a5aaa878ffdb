import type { Deployment } from "../../src/routing/deployments.js";

/** A deployment for unit tests of routing: only its id and weight matter. */
export function fakeDeployment(id: string, weight = 1): Deployment {
  return {
    id,
    weight,
    publicModel: "mesh/chat",
    upstreamModel: "m",
    price: undefined,
    provider: { name: `p-${id}` } as Deployment["provider"],
  };
}
