import type { Store, TemplateRecord } from "../store/types.js";

interface Entry {
  value: TemplateRecord | undefined;
  expires: number;
}

/**
 * Templates named in chat requests, remembered for `ttlMs` so a busy template costs no query per
 * request. Writes in this process drop the owner's entries at once; writes made elsewhere (another
 * instance, the CLI) are seen within `ttlMs`.
 */
export class TemplateCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly store: Store,
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
  ) {}

  async lookup(owner: string, idOrName: string): Promise<TemplateRecord | undefined> {
    const id = `${owner}\u0000${idOrName}`;
    const now = Date.now();
    const hit = this.entries.get(id);
    if (hit && hit.expires > now) return hit.value;
    const value = await this.store.findTemplate(owner, idOrName);
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(id, { value, expires: now + this.ttlMs });
    return value;
  }

  forget(owner: string): void {
    const prefix = `${owner}\u0000`;
    for (const id of this.entries.keys()) if (id.startsWith(prefix)) this.entries.delete(id);
  }
}
