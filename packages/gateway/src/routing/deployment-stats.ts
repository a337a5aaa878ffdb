/**
 * What this process has seen of each deployment: requests in flight and an exponentially weighted
 * moving average of how long an attempt took to answer. Per process by design, in both modes: the
 * least-busy and latency strategies steer this process's own traffic, and a shared count would cost
 * a Redis round trip on every request for a figure that is stale by the time it is read.
 */
export class DeploymentStats {
  private readonly inflight = new Map<string, number>();
  private readonly latency = new Map<string, number>();

  /** Weight of the newest sample in the average: 0.3 follows a change within a few requests. */
  constructor(private readonly alpha = 0.3) {}

  started(id: string): void {
    this.inflight.set(id, (this.inflight.get(id) ?? 0) + 1);
  }

  /** Ends one attempt; `ms` is how long it took to answer (or to fail), added to the average. */
  ended(id: string, ms: number): void {
    const n = (this.inflight.get(id) ?? 1) - 1;
    if (n <= 0) this.inflight.delete(id);
    else this.inflight.set(id, n);
    const prev = this.latency.get(id);
    this.latency.set(id, prev === undefined ? ms : prev + this.alpha * (ms - prev));
  }

  inFlight(id: string): number {
    return this.inflight.get(id) ?? 0;
  }

  /** The average in ms, or undefined before the first sample. */
  latencyMs(id: string): number | undefined {
    return this.latency.get(id);
  }
}
