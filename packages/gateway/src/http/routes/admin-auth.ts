import { createHash, timingSafeEqual } from "node:crypto";
import type { FastifyInstance } from "fastify";
import { GatewayError } from "../../errors/catalog.js";

/**
 * Compares SHA-256 digests, which always have the same length: comparing the raw strings would have
 * to bail out on a length mismatch first and so tell a caller how long the token is.
 */
export function tokenMatches(header: string | undefined, token: string): boolean {
  const presented = /^Bearer\s+(\S+)$/i.exec(header ?? "")?.[1];
  if (!presented) return false;
  return timingSafeEqual(digest(presented), digest(token));
}

function digest(value: string): Buffer {
  return createHash("sha256").update(value).digest();
}

/**
 * Guards an `/admin` plugin scope: without MESHAPI_ADMIN_TOKEN the routes do not exist (404), with it
 * they need `Authorization: Bearer $MESHAPI_ADMIN_TOKEN` (401). Wrong tokens count towards the
 * per-address failed-auth limit (429 once reached), like wrong API keys.
 */
export function guardAdmin(scope: FastifyInstance, adminToken: string | undefined): void {
  scope.addHook("onRequest", async (req) => {
    if (!adminToken)
      throw new GatewayError("not_found", `No route for ${req.method} ${req.url.split("?")[0]}.`);
    const limiter = scope.authFailures;
    limiter?.check(req.ip);
    if (!tokenMatches(req.headers.authorization, adminToken)) {
      const err = new GatewayError(
        "unauthorized",
        "Admin routes need Authorization: Bearer $MESHAPI_ADMIN_TOKEN.",
      );
      if (req.headers.authorization !== undefined) limiter?.recordFailure(req.ip);
      throw err;
    }
  });
}
