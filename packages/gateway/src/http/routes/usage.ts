import type { FastifyInstance } from "fastify";
import { toUsageQuery, toUsageReport, type UsageParams } from "../../usage/usage-report.js";
import { callerKeyId, type RouteDeps } from "./route-deps.js";

/** `GET /v1/usage`: the calling key's own usage, filtered and grouped. */
export function registerUsageRoutes(app: FastifyInstance, deps: RouteDeps): void {
  app.get("/v1/usage", async (req) => {
    const params = { ...(req.query as UsageParams), key_id: undefined };
    const query = { ...toUsageQuery(params, Date.now()), keyId: callerKeyId(req) };
    return toUsageReport(query, await deps.store.queryUsage(query));
  });
}
