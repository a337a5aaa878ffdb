import type { Logger } from "pino";
import { GatewayError } from "../errors/catalog.js";
import { writeRateLimitHeaders } from "../limits/headers.js";
import { worstCaseNanos } from "../limits/reservation.js";
import type { AdmitResult, Limiter, LimitName, Ticket } from "../limits/types.js";
import { hasRateLimits } from "../limits/types.js";
import { logThrottle } from "../logging.js";
import type { ApiKeyRecord } from "../store/types.js";
import type { ChatRequest } from "./chat-request.js";
import type { RouteTarget } from "./resolve-route.js";

/** What to do when the shared limiter (Redis) cannot be reached: admit unchecked, or refuse with 503. */
export type FailurePolicy = "open" | "closed";

export interface Governance {
  limiter: Limiter;
  /** For keys with rate limits (rpm, rpd, tpm, max_concurrent). */
  onLimiterDown: FailurePolicy;
  /** For keys with a spend cap; checked first, so a capped key follows this one. */
  onSpendDown: FailurePolicy;
  /** Completion tokens assumed for the reservation when a request sets no max_tokens. */
  defaultReservationTokens: number;
  log: Logger;
}

export interface AdmitContext {
  key: ApiKeyRecord;
  requestId: string;
  setHeader: (name: string, value: string) => void;
}

const LIMIT_TEXT: Record<Exclude<LimitName, "spend">, (n: number) => string> = {
  rpm: (n) => `${n} requests per minute (rpm)`,
  rpd: (n) => `${n} requests per day (rpd)`,
  tpm: (n) => `${n} tokens per minute (tpm)`,
  max_concurrent: (n) => `${n} concurrent requests (max_concurrent)`,
};

const downLogDue = logThrottle();

/**
 * Books the request against its key's limits and spend cap before anything goes upstream. Returns
 * the ticket to settle once the request is over, or undefined when the limiter was down and the
 * policy let the request through unchecked. Throws 429 / 402 / 503.
 */
export function admit(
  gov: Governance,
  ctx: AdmitContext,
  request: ChatRequest,
  targets: readonly RouteTarget[],
): Ticket | undefined | Promise<Ticket | undefined> {
  return admitReserving(gov, ctx, () =>
    worstCaseNanos(
      request,
      targets.map((t) => t.price),
      gov.defaultReservationTokens,
    ),
  );
}

/**
 * `admit` for any inbound format: `reserve` says the request's worst-case cost in nanodollars, and is
 * asked only when the key has a spend cap.
 */
export function admitReserving(
  gov: Governance,
  ctx: AdmitContext,
  reserve: () => number,
): Ticket | undefined | Promise<Ticket | undefined> {
  const { limits } = ctx.key;
  const reserveNanos = limits.spendCapUsd === null ? 0 : reserve();
  let pending: ReturnType<Limiter["admit"]>;
  try {
    pending = gov.limiter.admit({ keyId: ctx.key.id, limits, requestId: ctx.requestId, reserveNanos });
  } catch (err) {
    return limiterDown(gov, ctx.key, err);
  }
  // The in-process limiter answers at once; only a shared one (Redis) makes this wait.
  if (pending instanceof Promise) {
    return pending.then(
      (result) => conclude(ctx, result),
      (err: unknown) => limiterDown(gov, ctx.key, err),
    );
  }
  return conclude(ctx, pending);
}

/** Sets the rate-limit headers; returns the ticket of an admitted request, or throws 429 / 402. */
function conclude(ctx: AdmitContext, result: AdmitResult): Ticket {
  const { limits } = ctx.key;
  writeRateLimitHeaders(result.info, ctx.setHeader);
  if (result.ok) return result.ticket;
  if (result.limit === "spend") {
    const period = limits.spendPeriod === "month" ? "this month" : "in total";
    throw new GatewayError(
      "spend_limit_exceeded",
      `This key has reached its spend cap of $${result.limitValue} ${period}.`,
    );
  }
  const retryAfterSeconds = Math.max(1, Math.ceil(result.retryAfterMs / 1000));
  throw new GatewayError(
    "rate_limit_exceeded",
    `Rate limit reached: this key allows ${LIMIT_TEXT[result.limit](result.limitValue)}. Retry in ${retryAfterSeconds} s.`,
    { retryAfterSeconds },
  );
}

function limiterDown(gov: Governance, key: ApiKeyRecord, err: unknown): undefined {
  const capped = key.limits.spendCapUsd !== null;
  const limited = hasRateLimits(key.limits);
  const refuse = (capped && gov.onSpendDown === "closed") || (limited && gov.onLimiterDown === "closed");
  // One line per 10 s is enough to alert on; a line per request would drown the log.
  if (downLogDue()) {
    gov.log.error(
      { err: (err as Error).message, policy: { limits: gov.onLimiterDown, spend: gov.onSpendDown } },
      refuse
        ? "limits store unreachable; refusing requests of limited keys (fail closed)"
        : "limits store unreachable; admitting requests unchecked (fail open)",
    );
  }
  if (refuse) {
    throw new GatewayError(
      "service_unavailable",
      "The gateway cannot check this key's limits right now; try again shortly.",
      { retryAfterSeconds: 1 },
    );
  }
  return undefined;
}
