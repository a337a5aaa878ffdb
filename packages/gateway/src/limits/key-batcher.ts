interface Group<T> {
  readonly name: string;
  items: T[];
  /** The group's call to Redis that has not answered yet, if any. */
  inflight: Promise<void> | undefined;
}

const ignore = () => {};

/**
 * Collects items per group (a key id) and hands them over in arrival order, at most one batch per
 * group in flight. A batch goes out once the event loop has run every callback that was ready
 * (`setImmediate`: nobody waits for a timer) — or, while the group's previous batch is still on its
 * way, as soon as that one has answered. Under light load that is one call per request, as before;
 * under heavy load the batches grow with the load, so the cost per request falls as the load rises.
 */
export class KeyBatcher<T> {
  private readonly groups = new Map<string, Group<T>>();
  /** Groups with items waiting and nothing in flight. */
  private readonly ready = new Set<Group<T>>();
  private scheduled = false;

  constructor(
    /** Sends one batch; resolves (or rejects) once every call it made has answered. */
    private readonly send: (group: string, items: T[]) => Promise<unknown>,
    /** The most items per batch (Lua's argument stack is finite); the rest wait for the next one. */
    private readonly maxBatch: number,
  ) {}

  add(name: string, item: T): void {
    let group = this.groups.get(name);
    if (group === undefined) {
      group = { name, items: [], inflight: undefined };
      this.groups.set(name, group);
    }
    group.items.push(item);
    if (group.inflight === undefined) this.schedule(group);
  }

  private schedule(group: Group<T>): void {
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

  private dispatch(group: Group<T>): void {
    let items = group.items;
    if (items.length > this.maxBatch) items = items.splice(0, this.maxBatch);
    else group.items = [];
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
      this.flush();
      await Promise.all([...this.groups.values()].map((g) => g.inflight));
    }
  }
}
