import type { FastifyInstance } from "fastify";
import { toHealthWindow, toProviderHealth } from "../../usage/provider-health.js";
import { toRecentQuery, toRecentView } from "../../usage/recent-requests.js";
import { toSeriesQuery, toSeriesView } from "../../usage/usage-series.js";
import { guardAdmin } from "./admin-auth.js";
import type { RouteDeps } from "./route-deps.js";

/**
 * The dashboard's reads, behind the admin token: `GET /admin/usage/series` (usage per time bucket),
 * `GET /admin/requests` (newest requests) and `GET /admin/providers` (provider health).
 */
export function registerAdminInsightRoutes(app: FastifyInstance, deps: RouteDeps): void {
  app.register(
    async (admin) => {
      guardAdmin(admin, deps.config.adminToken);
      admin.get("/usage/series", async (req) => {
        const query = toSeriesQuery(req.query, Date.now());
        return toSeriesView(query, await deps.store.usageSeries(query));
      });
      admin.get("/requests", async (req) => {
        const query = toRecentQuery(req.query);
        return toRecentView(query, await deps.store.recentRequests(query));
      });
      admin.get("/providers", async (req) => {
        const windowMs = toHealthWindow(req.query);
        const outcomes = await deps.store.providerOutcomes(Date.now() - windowMs);
        return toProviderHealth(deps.config, outcomes, windowMs);
      });
    },
    { prefix: "/admin" },
  );
}
