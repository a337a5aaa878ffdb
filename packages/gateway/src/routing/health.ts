import type { CooldownPolicy } from "./routing-config.js";

/**
 * Where a deployment stands, as the router sees it:
 * - `up`: in rotation;
 * - `cooling`: taken out until its cooldown ends (or another request is probing it);
 * - `probe`: its cooldown is over and nobody probes it yet: the next request may claim the probe.
 */
export type Standing = "up" | "cooling" | "probe";

/** What an attempt's failure says about its deployment. */
export interface FailureReport {
  /** A vendor's `Retry-After`: the deployment cools for that long at once (capped). */
  retryAfterMs?: number | undefined;
  /** The attempt was the half-open probe: its failure re-opens the breaker at once. */
  probe: boolean;
}

/**
 * A circuit breaker per deployment: `failures` retryable failures within `windowMs` take it out for
 * `cooldownMs`; then one request probes it (half-open); the probe's success restores it, its failure
 * starts another cooldown. A 429 with `Retry-After` cools the deployment for that long.
 */
export interface DeploymentHealth {
  standing(id: string, now?: number): Standing;
  /** Whether this request won the probe of a deployment whose standing is `probe`. */
  claimProbe(id: string): boolean | Promise<boolean>;
  /** An attempt failed in a way that counts against the deployment (429, 5xx, timeout, connection). */
  failed(id: string, report: FailureReport): void;
  /** An attempt got an answer (any answer that is not such a failure): restores a cooling deployment. */
  succeeded(id: string): void;
  /** A probe ended without telling anything (the client went away): another request may probe. */
  releaseProbe(id: string): void;
  /** Milliseconds until the deployment's cooldown ends (0 when up). */
  coolingFor(id: string, now?: number): number;
  close(): Promise<void>;
}

interface Breaker {
  /** Failures counted in the current window, and when that window began. */
  failures: number;
  windowStart: number;
  /** Out of rotation until then (0: in rotation). */
  openUntil: number;
  /** A probe is running (here or, in shared mode, at another instance) until then. */
  probingUntil: number;
}

/**
 * Breakers in this process's memory: the whole of health in embedded mode, and the local mirror that
 * shared mode keeps in step through Redis (so routing never waits on a network round trip).
 */
export class LocalHealth implements DeploymentHealth {
  private readonly breakers = new Map<string, Breaker>();

  constructor(
    readonly policy: CooldownPolicy,
    private readonly clock: () => number = Date.now,
  ) {}

  standing(id: string, now = this.clock()): Standing {
    const b = this.breakers.get(id);
    if (b === undefined || b.openUntil === 0) return "up";
    if (now < b.openUntil || now < b.probingUntil) return "cooling";
    return "probe";
  }

  claimProbe(id: string): boolean {
    const b = this.breakers.get(id);
    const now = this.clock();
    if (b === undefined || b.openUntil === 0) return true;
    if (now < b.openUntil || now < b.probingUntil) return false;
    b.probingUntil = now + this.probeTimeoutMs();
    return true;
  }

  failed(id: string, report: FailureReport): void {
    const now = this.clock();
    const b = this.breaker(id, now);
    if (report.retryAfterMs !== undefined && report.retryAfterMs > 0) {
      this.open(b, now, Math.min(report.retryAfterMs, this.policy.maxCooldownMs));
      return;
    }
    if (report.probe) {
      this.open(b, now, this.policy.cooldownMs);
      return;
    }
    if (now - b.windowStart >= this.policy.windowMs) {
      b.windowStart = now;
      b.failures = 0;
    }
    b.failures++;
    if (b.failures >= this.policy.failures) this.open(b, now, this.policy.cooldownMs);
  }

  succeeded(id: string): void {
    const b = this.breakers.get(id);
    if (b !== undefined && b.openUntil !== 0) this.breakers.delete(id);
  }

  releaseProbe(id: string): void {
    const b = this.breakers.get(id);
    if (b !== undefined) b.probingUntil = 0;
  }

  coolingFor(id: string, now = this.clock()): number {
    const b = this.breakers.get(id);
    return b === undefined ? 0 : Math.max(0, b.openUntil - now, b.probingUntil - now);
  }

  /** Applies another instance's news (shared mode): out for `ms` from now, or back in rotation. */
  mirrorDown(id: string, ms: number): void {
    const now = this.clock();
    this.open(this.breaker(id, now), now, ms);
  }

  mirrorUp(id: string): void {
    this.breakers.delete(id);
  }

  /** Marks a probe as running elsewhere, so this instance does not ask Redis again until it times out. */
  mirrorProbing(id: string): void {
    const now = this.clock();
    this.breaker(id, now).probingUntil = now + this.probeTimeoutMs();
  }

  /** A probe that never reports (its instance died) frees the deployment for another probe after this. */
  probeTimeoutMs(): number {
    return Math.max(1_000, this.policy.cooldownMs);
  }

  async close(): Promise<void> {}

  private breaker(id: string, now: number): Breaker {
    let b = this.breakers.get(id);
    if (b === undefined) {
      b = { failures: 0, windowStart: now, openUntil: 0, probingUntil: 0 };
      this.breakers.set(id, b);
    }
    return b;
  }

  private open(b: Breaker, now: number, ms: number): void {
    b.openUntil = Math.max(b.openUntil, now + ms);
    b.probingUntil = 0;
    b.failures = 0;
    b.windowStart = now;
  }
}
