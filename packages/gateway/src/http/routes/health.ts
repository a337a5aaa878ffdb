import type { FastifyInstance } from "fastify";
import { GatewayError } from "../../errors/catalog.js";
import type { ServerDeps } from "../server.js";

export function registerHealthRoutes(app: FastifyInstance, deps: ServerDeps): void {
  /** Liveness: the process answers. */
  app.get("/healthz", async () => ({ status: "ok" }));

  /** Readiness: the store answers too. */
  app.get("/readyz", async () => {
    try {
      await deps.store.ping();
    } catch (err) {
      deps.log.warn({ err: (err as Error).message }, "readiness check failed");
      throw new GatewayError("service_unavailable", "The store is not reachable.");
    }
    return { status: "ready", store: deps.store.dialect };
  });
}
