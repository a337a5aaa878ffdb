/**
 * Collects items per group (a key id) until the event loop has run every callback that was ready,
 * then hands each group's items over in arrival order. Requests that arrive together — one poll
 * phase of the event loop — thus cost one Redis call per key instead of one each, and nobody waits
 * for a timer: `setImmediate` runs right after the current poll phase.
 */
export class TickBatcher<T> {
  private pending = new Map<string, T[]>();
  private scheduled = false;

  constructor(
    private readonly send: (group: string, items: T[]) => void,
    /** A batch this big goes out at once (Lua's argument stack is finite). */
    private readonly maxBatch: number,
  ) {}

  add(group: string, item: T): void {
    let items = this.pending.get(group);
    if (items === undefined) {
      items = [];
      this.pending.set(group, items);
    }
    items.push(item);
    if (items.length >= this.maxBatch) {
      // Sent ahead of the rest of its group's later items, so the order within the group holds.
      this.pending.delete(group);
      this.send(group, items);
      return;
    }
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flush);
    }
  }

  /** Sends everything pending now (also what shutdown calls, so nothing waits for the next turn). */
  readonly flush = (): void => {
    this.scheduled = false;
    if (this.pending.size === 0) return;
    const pending = this.pending;
    this.pending = new Map();
    for (const [group, items] of pending) this.send(group, items);
  };
}
