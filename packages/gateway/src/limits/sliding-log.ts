import { slotEnd } from "./types.js";

/**
 * An exact sliding-window log: the times (and weights) of the events of the last `windowMs`. Entries
 * arrive in time order, so pruning pops from the front; the backing array is compacted now and then
 * instead of shifted on every prune. Events of the same millisecond share one entry (their weights
 * add up), so a busy key keeps at most one entry per millisecond of its window. A long window can take a
 * coarser `resolutionMs`: an event is then booked at the end of its slot (rounded up), so it stays in
 * the window a little longer than the window, never shorter — the limit is never exceeded in any
 * window — and a day-long log holds at most 86,400 entries instead of 86.4 million.
 */
export class SlidingLog {
  private times: number[] = [];
  private weights: number[] = [];
  private head = 0;
  private total = 0;

  constructor(
    private readonly windowMs: number,
    private readonly resolutionMs = 1,
  ) {}

  prune(now: number): void {
    const cutoff = now - this.windowMs;
    while (this.head < this.times.length && (this.times[this.head] as number) <= cutoff) {
      this.total -= this.weights[this.head] as number;
      this.head++;
    }
    if (this.head > 1024 && this.head * 2 > this.times.length) {
      this.times = this.times.slice(this.head);
      this.weights = this.weights.slice(this.head);
      this.head = 0;
    }
  }

  /** Number of entries in the window (call `prune` first); events of one millisecond are one entry. */
  get count(): number {
    return this.times.length - this.head;
  }

  /** Sum of the weights in the window (call `prune` first): with unit weights, the number of events. */
  get sum(): number {
    return this.total;
  }

  /** Milliseconds until the oldest event leaves the window; 0 when empty. */
  msUntilOldestExpires(now: number): number {
    if (this.empty) return 0;
    return Math.max(0, (this.times[this.head] as number) + this.windowMs - now);
  }

  add(time: number, weight = 1): void {
    const now = slotEnd(time, this.resolutionMs);
    this.total += weight;
    const last = this.times.length - 1;
    if (last >= this.head && this.times[last] === now) {
      this.weights[last] = (this.weights[last] as number) + weight;
      return;
    }
    this.times.push(now);
    this.weights.push(weight);
  }

  get empty(): boolean {
    return this.times.length === this.head;
  }
}
