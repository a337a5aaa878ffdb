import type { Logger } from "pino";
import { GatewayError } from "../errors/catalog.js";
import type { Deployment } from "../routing/deployments.js";
import { classifyFailure } from "../routing/retry-policy.js";
import type { Router } from "../routing/router.js";

/**
 * A stream that failed after bytes reached the client: no retry is possible any more, so the failure
 * counts against the deployment (when it is the upstream's) and becomes the error the caller sends
 * in-band. A non-GatewayError is a gateway bug: logged, and reported as `internal_error`.
 */
export function midStreamFailure(
  deps: { router: Router; log: Logger },
  target: Deployment,
  requestId: string,
  err: unknown,
): GatewayError {
  if (classifyFailure(err).retryable) deps.router.health.failed(target.id, { probe: false });
  if (err instanceof GatewayError) return err;
  deps.log.error({ err, requestId }, "stream relay failed");
  return new GatewayError("internal_error", "The stream failed.", { cause: err });
}
