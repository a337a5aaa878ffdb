import type { Logger } from "pino";
import { GatewayError } from "../errors/catalog.js";
import type { Cancellation } from "../providers/cancellation.js";
import { isAbort } from "../providers/upstream-http.js";
import type { DeploymentStats } from "./deployment-stats.js";
import type { Deployment, ModelRoute } from "./deployments.js";
import type { DeploymentHealth } from "./health.js";
import { backoffMs, classifyFailure } from "./retry-policy.js";
import type { RetryPolicy } from "./routing-config.js";
import { orderDeployments, type Random } from "./strategies.js";

/** One upstream attempt as usage events and logs report it. */
export interface AttemptRecord {
  attempt: number;
  deployment: string;
  provider: string;
  /** "ok", or the error code the attempt ended with. */
  outcome: string;
  /** HTTP status the attempt ended with (200 for an answer). */
  status: number;
  ms: number;
}

/** What a request's attempts came to; filled in as they happen, so a failed request reports them too. */
export class AttemptLog {
  readonly records: AttemptRecord[] = [];
  /** Time spent waiting on upstreams (every attempt's duration). */
  upstreamMs = 0;
  /** Time spent in backoff between attempts. */
  waitedMs = 0;
  /** The deployment that answered, or the last one tried. */
  deployment: Deployment | undefined;
}

export interface RouterOptions {
  health: DeploymentHealth;
  stats: DeploymentStats;
  retry: RetryPolicy;
  log: Logger;
  random?: Random;
}

/** One request's routing: its candidate models in order, its retry budget and its clock. */
export interface RoutePlan {
  routes: readonly ModelRoute[];
  /** Extra attempts per model after the first. */
  retries: number;
  /** `performance.now()` when the request arrived; the retry deadline counts from here. */
  startedAt: number;
  signal: Cancellation;
  requestId: string;
}

interface Choice {
  deployment: Deployment;
  probe: boolean;
}

/**
 * Calls deployments until one answers. For each requested model in turn (its `models` fallbacks
 * after it): up to 1 + `retries` attempts, the strategy's favourite healthy deployment first, then
 * failing over to the others before coming back to one already tried (after an exponential backoff
 * with jitter, or the vendor's `Retry-After` when it is short enough). Deployments that are cooling
 * down are skipped while another one can answer; when all are cooling, they are tried anyway, the
 * soonest back first: a cooldown steers traffic, it never refuses a request on its own.
 *
 * Only failures another attempt may fix (429, 5xx, timeouts, connection errors) are retried; any
 * other error ends the request at once. The caller's `attempt` must resolve only once nothing has
 * reached the client yet that a retry would repeat (streams: after their first chunk is in hand).
 */
export class Router {
  private readonly random: Random;

  constructor(private readonly options: RouterOptions) {
    this.random = options.random ?? Math.random;
  }

  get health(): DeploymentHealth {
    return this.options.health;
  }

  async call<T>(plan: RoutePlan, log: AttemptLog, attempt: (d: Deployment) => Promise<T>): Promise<T> {
    const { health, stats, retry } = this.options;
    let lastError: unknown;
    for (const route of plan.routes) {
      const ranked = orderDeployments(route.strategy, route.deployments, stats, this.random);
      const tries = new Map<string, number>();
      /** The Retry-After each deployment last answered with, in ms. */
      const retryAfter = new Map<string, number>();
      for (let n = 0; n <= plan.retries; n++) {
        const choice = await this.choose(ranked, tries);
        const id = choice.deployment.id;
        const triedBefore = tries.get(id) ?? 0;
        let wait = triedBefore === 0 ? 0 : backoffMs(retry, n - 1, this.random);
        const asked = retryAfter.get(id);
        if (asked !== undefined) {
          if (asked > retry.maxRetryAfterMs) break; // too long to hold the request: next model, or the 429
          wait = Math.max(wait, asked);
        }
        if (n > 0 && performance.now() + wait > plan.startedAt + retry.deadlineMs) {
          return this.giveUp(lastError);
        }
        if (wait > 0) {
          await sleep(wait, plan.signal);
          log.waitedMs += wait;
        }
        tries.set(id, triedBefore + 1);
        log.deployment = choice.deployment;
        const t0 = performance.now();
        stats.started(id);
        try {
          const value = await attempt(choice.deployment);
          const ms = performance.now() - t0;
          stats.ended(id, ms);
          log.upstreamMs += ms;
          log.records.push(record(log, choice.deployment, "ok", 200, ms));
          health.succeeded(id);
          return value;
        } catch (err) {
          const ms = performance.now() - t0;
          stats.ended(id, ms);
          log.upstreamMs += ms;
          if (plan.signal.aborted || isAbort(err)) {
            if (choice.probe) health.releaseProbe(id);
            throw err;
          }
          const ge = err instanceof GatewayError ? err : undefined;
          log.records.push(
            record(log, choice.deployment, ge?.code ?? "internal_error", ge?.status ?? 500, ms),
          );
          const kind = classifyFailure(err);
          if (!kind.retryable) {
            // The deployment answered (a 4xx is about the request): it is up.
            health.succeeded(id);
            throw err;
          }
          health.failed(id, { retryAfterMs: kind.retryAfterMs, probe: choice.probe });
          if (kind.retryAfterMs !== undefined) retryAfter.set(id, kind.retryAfterMs);
          else retryAfter.delete(id);
          lastError = err;
          this.options.log.warn(
            {
              requestId: plan.requestId,
              deployment: id,
              attempt: log.records.length,
              err: (err as Error).message,
            },
            "upstream attempt failed",
          );
        }
      }
    }
    return this.giveUp(lastError);
  }

  /**
   * The next deployment: in rotation before cooling, untried before tried, then the strategy's order.
   * A deployment whose cooldown is over is taken only if this request wins its one probe.
   */
  private async choose(ranked: readonly Deployment[], tries: ReadonlyMap<string, number>): Promise<Choice> {
    const { health } = this.options;
    if (ranked.length === 1 && health.standing((ranked[0] as Deployment).id) === "up") {
      return { deployment: ranked[0] as Deployment, probe: false };
    }
    const byTries = ranked
      .map((d, rank) => ({ d, rank, tries: tries.get(d.id) ?? 0 }))
      .sort((a, b) => a.tries - b.tries || a.rank - b.rank);
    for (const { d } of byTries) {
      const standing = health.standing(d.id);
      if (standing === "up") return { deployment: d, probe: false };
      if (standing === "probe" && (await health.claimProbe(d.id))) return { deployment: d, probe: true };
    }
    // Everything is cooling: the least tried, soonest back.
    const now = Date.now();
    const [first] = byTries.sort(
      (a, b) => a.tries - b.tries || health.coolingFor(a.d.id, now) - health.coolingFor(b.d.id, now),
    );
    return { deployment: (first as { d: Deployment }).d, probe: false };
  }

  /** Every request makes at least one attempt, so there is always a last error to answer with. */
  private giveUp(lastError: unknown): never {
    throw lastError ?? new GatewayError("internal_error", "No upstream attempt was made.");
  }
}

function record(log: AttemptLog, d: Deployment, outcome: string, status: number, ms: number): AttemptRecord {
  return {
    attempt: log.records.length + 1,
    deployment: d.id,
    provider: d.provider.name,
    outcome,
    status,
    ms: Math.round(ms),
  };
}

/** Waits `ms`, or rejects at once with an AbortError when the client goes away meanwhile. */
function sleep(ms: number, signal: Cancellation): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(abortError());
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError());
    };
    const timer = setTimeout(() => {
      signal.off("abort", onAbort);
      resolve();
    }, ms);
    signal.once("abort", onAbort);
  });
}

function abortError(): Error {
  const err = new Error("The client went away.");
  err.name = "AbortError";
  return err;
}
