import { ConfigError } from "../config/config.js";
import { GatewayError } from "../errors/catalog.js";

export interface AuthFailureSettings {
  /** Failed attempts one client address may make per window; 0 turns the limiter off. */
  limit: number;
  windowMs: number;
}

export const AUTH_FAILURE_DEFAULTS: AuthFailureSettings = { limit: 30, windowMs: 60_000 };

/** Addresses tracked at once; past it, the oldest windows are forgotten first. */
const MAX_TRACKED = 50_000;

export function loadAuthFailureSettings(env: NodeJS.ProcessEnv): AuthFailureSettings {
  const read = (name: string, fallback: number, min: number) => {
    const raw = env[name];
    if (raw === undefined || raw === "") return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min)
      throw new ConfigError(`${name} must be an integer of at least ${min}, got "${raw}"`);
    return n;
  };
  return {
    limit: read("MESHAPI_AUTH_FAILURE_LIMIT", AUTH_FAILURE_DEFAULTS.limit, 0),
    windowMs: read("MESHAPI_AUTH_FAILURE_WINDOW_MS", AUTH_FAILURE_DEFAULTS.windowMs, 1),
  };
}

interface Window {
  startedAt: number;
  failures: number;
}

/**
 * Counts failed authentications (a wrong `rsk_` key, a wrong admin token) per client address in a
 * fixed window. Once an address reaches the limit, every authentication attempt from it is refused
 * with 429 until the window ends, before the credential is even looked at: answering a right guess
 * while refusing wrong ones would let guessing continue at full speed. Successful requests add
 * nothing. In memory and per process: brute force needs volume, and each instance caps its share.
 *
 * @example
 * const limiter = new AuthFailureLimiter({ limit: 30, windowMs: 60_000 });
 * limiter.check(req.ip);          // throws too_many_failed_auth while the address is blocked
 * limiter.recordFailure(req.ip);  // after a 401
 */
export class AuthFailureLimiter {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly settings: AuthFailureSettings,
    private readonly now: () => number = Date.now,
  ) {}

  get enabled(): boolean {
    return this.settings.limit > 0;
  }

  /** Throws `too_many_failed_auth` (with Retry-After) while `address` is blocked. */
  check(address: string): void {
    if (!this.enabled) return;
    const w = this.current(address);
    if (!w || w.failures < this.settings.limit) return;
    const retryAfterSeconds = Math.max(
      1,
      Math.ceil((w.startedAt + this.settings.windowMs - this.now()) / 1000),
    );
    throw new GatewayError(
      "too_many_failed_auth",
      `Too many failed authentication attempts from this address; retry in ${retryAfterSeconds} s.`,
      { retryAfterSeconds },
    );
  }

  recordFailure(address: string): void {
    if (!this.enabled) return;
    const w = this.current(address);
    if (w) {
      w.failures++;
      return;
    }
    if (this.windows.size >= MAX_TRACKED) this.evict();
    this.windows.set(address, { startedAt: this.now(), failures: 1 });
  }

  /** Addresses currently tracked (for tests and metrics). */
  get size(): number {
    return this.windows.size;
  }

  private current(address: string): Window | undefined {
    const w = this.windows.get(address);
    if (!w) return undefined;
    if (this.now() - w.startedAt < this.settings.windowMs) return w;
    this.windows.delete(address);
    return undefined;
  }

  /** Drops expired windows, then (if still full) the oldest tenth: memory stays bounded under a flood. */
  private evict(): void {
    const cutoff = this.now() - this.settings.windowMs;
    for (const [address, w] of this.windows) if (w.startedAt <= cutoff) this.windows.delete(address);
    if (this.windows.size < MAX_TRACKED) return;
    let drop = Math.ceil(MAX_TRACKED / 10);
    for (const address of this.windows.keys()) {
      if (drop-- <= 0) break;
      this.windows.delete(address);
    }
  }
}

/** True for the errors that mean "wrong credential presented", the ones worth counting. */
export function isFailedAuth(err: unknown): boolean {
  return err instanceof GatewayError && err.code === "unauthorized";
}
