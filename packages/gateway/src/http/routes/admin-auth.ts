import { timingSafeEqual } from "node:crypto";
import type { FastifyInstance } from "fastify";
import { GatewayError } from "../../errors/catalog.js";

export function tokenMatches(header: string | undefined, token: string): boolean {
  const presented = /^Bearer\s+(\S+)$/i.exec(header ?? "")?.[1];
  if (!presented) return false;
  const a = Buffer.from(presented);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Guards an `/admin` plugin scope: without MESHAPI_ADMIN_TOKEN the routes do not exist (404), with it
 * they need `Authorization: Bearer $MESHAPI_ADMIN_TOKEN` (401).
 */
export function guardAdmin(scope: FastifyInstance, adminToken: string | undefined): void {
  scope.addHook("onRequest", async (req) => {
    if (!adminToken)
      throw new GatewayError("not_found", `No route for ${req.method} ${req.url.split("?")[0]}.`);
    if (!tokenMatches(req.headers.authorization, adminToken)) {
      throw new GatewayError("unauthorized", "Admin routes need Authorization: Bearer $MESHAPI_ADMIN_TOKEN.");
    }
  });
}
