import { Redis } from "ioredis";
import type { DeploymentHealth, FailureReport, Standing } from "./health.js";
import { LocalHealth } from "./health.js";
import type { CooldownPolicy } from "./routing-config.js";

/**
 * Counts a failure across every instance and says how long the deployment must cool (0: not yet).
 * KEYS[1] the deployment's failure counter. ARGV: windowMs, failures, cooldownMs, retryAfterMs
 * (0: none), probe (1: the failed attempt was the half-open probe).
 */
const FAILURE_LUA = `
local retryAfter = tonumber(ARGV[4])
if retryAfter > 0 then return retryAfter end
if ARGV[5] == '1' then
  redis.call('DEL', KEYS[1])
  return tonumber(ARGV[3])
end
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
if n >= tonumber(ARGV[2]) then
  redis.call('DEL', KEYS[1])
  return tonumber(ARGV[3])
end
return 0
`;

interface HealthCommands {
  meshFailure(
    key: string,
    windowMs: number,
    failures: number,
    cooldownMs: number,
    retryAfterMs: number,
    probe: number,
  ): Promise<number>;
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/** A message on the health channel: a deployment out for `down` ms from now, or back (`up`). */
type HealthNews = { id: string; down: number } | { id: string; up: true };

export interface RedisHealthOptions {
  url: string;
  prefix: string;
  policy: CooldownPolicy;
  /** Redis unreachable or a call failed: the breakers keep working on this instance's own view. */
  onError: (err: unknown) => void;
}

/**
 * Breakers shared by every instance (shared mode). Failures are counted in Redis, so N failures seen
 * by different instances trip the breaker as they would at one; a trip, a restore and a probe claim
 * reach every instance by pub/sub, into each one's `LocalHealth` mirror, which is what routing reads.
 * So the request path never waits on Redis, except to claim the probe of a deployment whose cooldown
 * just ended (`SET NX`: one probe across all instances). When Redis is unreachable, each instance
 * goes on with its own view: a deployment failing everywhere is still taken out, by each instance.
 */
export class RedisHealth implements DeploymentHealth {
  private readonly local: LocalHealth;
  private readonly redis: Redis & HealthCommands;
  private readonly subscriber: Redis;
  private readonly channel: string;

  private constructor(private readonly options: RedisHealthOptions) {
    this.local = new LocalHealth(options.policy);
    const settings = {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: 2_000,
    };
    this.redis = new Redis(options.url, settings) as Redis & HealthCommands;
    this.redis.defineCommand("meshFailure", { numberOfKeys: 1, lua: FAILURE_LUA });
    this.subscriber = new Redis(options.url, { ...settings, enableOfflineQueue: true });
    this.channel = `${options.prefix}health`;
  }

  static async open(options: RedisHealthOptions): Promise<RedisHealth> {
    const health = new RedisHealth(options);
    health.redis.on("error", options.onError);
    health.subscriber.on("error", options.onError);
    health.subscriber.on("message", (_channel: string, text: string) => health.hear(text));
    const subscribed = health.subscriber.subscribe(health.channel).catch(options.onError);
    await Promise.all([
      health.redis.connect().catch(options.onError),
      Promise.race([subscribed, delay(2_000)]),
    ]);
    return health;
  }

  standing(id: string, now?: number): Standing {
    return this.local.standing(id, now);
  }

  coolingFor(id: string, now?: number): number {
    return this.local.coolingFor(id, now);
  }

  async claimProbe(id: string): Promise<boolean> {
    if (!this.local.claimProbe(id)) return false;
    try {
      const won = await this.redis.set(this.probeKey(id), "1", "PX", this.local.probeTimeoutMs(), "NX");
      if (won === "OK") return true;
      this.local.mirrorProbing(id);
      return false;
    } catch (err) {
      this.options.onError(err);
      return true; // Redis down: this instance probes on its own view.
    }
  }

  failed(id: string, report: FailureReport): void {
    this.local.failed(id, report);
    const p = this.options.policy;
    const retryAfter = Math.min(report.retryAfterMs ?? 0, p.maxCooldownMs);
    this.redis
      .meshFailure(
        this.failuresKey(id),
        p.windowMs,
        p.failures,
        p.cooldownMs,
        retryAfter,
        report.probe ? 1 : 0,
      )
      .then((coolMs) => {
        if (coolMs > 0) return this.announce({ id, down: coolMs });
      })
      .catch(this.options.onError);
  }

  succeeded(id: string): void {
    // Only news when this instance thought the deployment was out: a success in rotation costs nothing.
    if (this.local.standing(id) === "up") return;
    this.local.succeeded(id);
    this.redis
      .del(this.probeKey(id))
      .then(() => this.announce({ id, up: true }))
      .catch(this.options.onError);
  }

  releaseProbe(id: string): void {
    this.local.releaseProbe(id);
    this.redis.del(this.probeKey(id)).catch(this.options.onError);
  }

  async close(): Promise<void> {
    this.subscriber.disconnect();
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  private async announce(news: HealthNews): Promise<void> {
    await this.redis.publish(this.channel, JSON.stringify(news));
  }

  private hear(text: string): void {
    let news: HealthNews;
    try {
      news = JSON.parse(text) as HealthNews;
    } catch {
      return;
    }
    if (typeof news.id !== "string") return;
    if ("up" in news) this.local.mirrorUp(news.id);
    else if (typeof news.down === "number" && news.down > 0) this.local.mirrorDown(news.id, news.down);
  }

  private failuresKey(id: string): string {
    return `${this.options.prefix}health:{${id}}:failures`;
  }

  private probeKey(id: string): string {
    return `${this.options.prefix}health:{${id}}:probe`;
  }
}
