import type { Logger } from "pino";
import type { ProviderConfig } from "../config/config.js";
import { GatewayError } from "../errors/catalog.js";
import { toGatewayError } from "../providers/upstream-http.js";
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

/**
 * What a pass-through (`/v1/messages`, `/v1/responses`) reports when the vendor's raw event stream fails
 * mid-way: a GatewayError as it is, an event that does not parse as a malformed event, and a transport
 * failure (the idle timeout, a reset) as the timeout or upstream error it is.
 */
export function passThroughFailure(err: unknown, provider: ProviderConfig): GatewayError {
  if (err instanceof GatewayError) return err;
  if (err instanceof SyntaxError) {
    return new GatewayError("upstream_error", "The provider sent a malformed stream event.", { cause: err });
  }
  const mapped = toGatewayError(err, provider);
  return mapped instanceof GatewayError
    ? mapped
    : new GatewayError("upstream_error", "The provider stream failed.", { cause: err });
}
