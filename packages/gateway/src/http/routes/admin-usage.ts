import type { FastifyInstance } from "fastify";
import { toUsageQuery, toUsageReport, type UsageParams } from "../../usage/usage-report.js";
import { guardAdmin } from "./admin-auth.js";
import type { RouteDeps } from "./route-deps.js";

/** `GET /admin/usage`: every key's usage (optionally one key's, with `key_id`), behind the admin token. */
export function registerAdminUsageRoutes(app: FastifyInstance, deps: RouteDeps): void {
  app.register(
    async (admin) => {
      guardAdmin(admin, deps.config.adminToken);
      admin.get("/usage", async (req) => {
        const query = toUsageQuery(req.query as UsageParams, Date.now());
        return toUsageReport(query, await deps.store.queryUsage(query));
      });
    },
    { prefix: "/admin" },
  );
}
