interface Group<T> {
  readonly name: string;
  items: T[];
  /** Whether any waiting item is urgent; a group of lazy items only waits for the lazy timer. */
  urgent: boolean;
  /** When the waiting lazy items must go at the latest (performance.now); Infinity: none waiting. */
  lazyDue: number;
  /** The group's call to Redis that has not answered yet, if any. */
  inflight: Promise<void> | undefined;
}

const ignore = () => {};

/**
 * Collects items per group (a key id) and hands them over in arrival order, at most one batch per
 * group in flight. A batch with an urgent item goes out once the event loop has run every callback
 * that was ready (`setImmediate`: nobody waits for a timer) — or, while the group's previous batch is
 * still on its way, as soon as that one has answered. Under light load that is one call per request;
 * under heavy load the batches grow with the load, so the cost per request falls as the load rises.
 *
 * Lazy items (settles: nobody waits for them) do not start a batch of their own right away: they ride
 * along with the group's next urgent batch, or go out on their own once the first of them has waited
 * its `lazyMs`. Under load an admission or a lease renewal comes along first, so settles stop costing
 * calls of their own.
 */
export class KeyBatcher<T> {
  private readonly groups = new Map<string, Group<T>>();
  /** Groups with an urgent item waiting and nothing in flight. */
  private readonly ready = new Set<Group<T>>();
  /** Groups with only lazy items waiting. */
  private readonly lazy = new Set<Group<T>>();
  private scheduled = false;
  private lazyTimer: NodeJS.Timeout | undefined;
  private lazyTimerDue = Number.POSITIVE_INFINITY;

  constructor(
    /** Sends one batch; resolves (or rejects) once every call it made has answered. */
    private readonly send: (group: string, items: T[]) => Promise<unknown>,
    /** The most items per batch (Lua's argument stack is finite); the rest wait for the next one. */
    private readonly maxBatch: number,
    /** How long a lazy item may wait for an urgent one to ride along with, unless `add` says. */
    private readonly lazyMs = 0,
  ) {}

  add(name: string, item: T, urgent = true, lazyMs = this.lazyMs): void {
    let group = this.groups.get(name);
    if (group === undefined) {
      group = { name, items: [], urgent: false, lazyDue: Number.POSITIVE_INFINITY, inflight: undefined };
      this.groups.set(name, group);
    }
    group.items.push(item);
    if (urgent || lazyMs <= 0) group.urgent = true;
    else group.lazyDue = Math.min(group.lazyDue, performance.now() + lazyMs);
    if (group.inflight === undefined) this.schedule(group);
  }

  private schedule(group: Group<T>): void {
    if (!group.urgent) {
      this.lazy.add(group);
      this.armLazyTimer(group.lazyDue);
      return;
    }
    this.lazy.delete(group);
    this.ready.add(group);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flush);
    }
  }

  /** Sends what is ready now, without waiting for the end of the turn. */
  readonly flush = (): void => {
    this.scheduled = false;
    if (this.ready.size === 0) return;
    const ready = [...this.ready];
    this.ready.clear();
    for (const group of ready) this.dispatch(group);
  };

  /** One timer for all lazy groups, set for the earliest that is due. */
  private armLazyTimer(due: number): void {
    if (due === Number.POSITIVE_INFINITY) return;
    if (this.lazyTimer !== undefined) {
      if (this.lazyTimerDue <= due + 0.5) return;
      clearTimeout(this.lazyTimer);
    }
    this.lazyTimerDue = due;
    this.lazyTimer = setTimeout(this.flushLazy, Math.max(0, due - performance.now()));
  }

  /**
   * The lazy timer: groups whose lazy items are due go out on their own; the others (not due yet, or
   * a call took their items along meanwhile) wait on, for the next timer.
   */
  private readonly flushLazy = (all = false): void => {
    if (this.lazyTimer !== undefined) clearTimeout(this.lazyTimer);
    this.lazyTimer = undefined;
    this.lazyTimerDue = Number.POSITIVE_INFINITY;
    const now = performance.now();
    let next = Number.POSITIVE_INFINITY;
    for (const group of [...this.lazy]) {
      if (!all && group.lazyDue > now + 0.5) {
        next = Math.min(next, group.lazyDue);
        continue;
      }
      this.lazy.delete(group);
      group.urgent = true;
      if (group.inflight === undefined) this.schedule(group);
    }
    if (next !== Number.POSITIVE_INFINITY) this.armLazyTimer(next);
  };

  private dispatch(group: Group<T>): void {
    let items = group.items;
    if (items.length > this.maxBatch) items = items.splice(0, this.maxBatch);
    else group.items = [];
    // What is left after a split is as urgent as what went; an empty group has nothing pending.
    if (group.items.length === 0) {
      group.urgent = false;
      group.lazyDue = Number.POSITIVE_INFINITY;
    }
    group.inflight = this.send(group.name, items)
      .then(ignore, ignore)
      .then(() => {
        group.inflight = undefined;
        if (group.items.length > 0) this.schedule(group);
        else this.groups.delete(group.name);
      });
  }

  /** Resolves once every item added so far has been sent and answered (graceful shutdown). */
  async drain(): Promise<void> {
    while (this.groups.size > 0) {
      this.flushLazy(true);
      this.flush();
      await Promise.all([...this.groups.values()].map((g) => g.inflight));
    }
  }
}
