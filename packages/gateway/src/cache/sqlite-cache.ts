import BetterSqlite3 from "better-sqlite3";
import {
  type CachedAnswer,
  type CacheLimits,
  decodeAnswer,
  encodeAnswer,
  type ResponseCache,
} from "./types.js";

export interface SqliteCacheOptions {
  /** A file path, or ":memory:". */
  file: string;
  limits: CacheLimits;
  /** Unix ms; injectable so that tests can move time instead of waiting. */
  now?: () => number;
}

interface Write {
  key: string;
  value: string;
  bytes: number;
  expiresAt: number;
}

interface Pending {
  key: string;
  answer: () => CachedAnswer | undefined;
  expiresAt: number;
}

/**
 * The embedded cache: one table in its own SQLite file (`cache.sqlite` beside the store's), so its
 * churn never touches the store's WAL. Reads are one indexed lookup; writes are queued and committed
 * together on the next turn of the event loop, after the response went out, followed by the expiry
 * sweep and, past the bounds, eviction of the entries closest to expiry.
 */
export class SqliteCache implements ResponseCache {
  readonly kind = "sqlite";
  private readonly db: BetterSqlite3.Database;
  private readonly now: () => number;
  private queue: Pending[] = [];
  private flushing: Promise<void> | undefined;
  private readonly select: BetterSqlite3.Statement<[string], { value: string; expires_at: number }>;
  private readonly commit: (writes: Write[]) => void;

  get maxEntryBytes(): number {
    return this.options.limits.maxEntryBytes;
  }

  constructor(private readonly options: SqliteCacheOptions) {
    this.now = options.now ?? Date.now;
    const db = new BetterSqlite3(options.file);
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
    db.exec(`CREATE TABLE IF NOT EXISTS cache_entries (
      key TEXT PRIMARY KEY,
      value TEXT NOT NULL,
      bytes INTEGER NOT NULL,
      expires_at INTEGER NOT NULL
    )`);
    db.exec("CREATE INDEX IF NOT EXISTS cache_entries_expiry ON cache_entries (expires_at)");
    this.db = db;
    this.select = db.prepare("SELECT value, expires_at FROM cache_entries WHERE key = ?");
    const upsert = db.prepare(
      `INSERT INTO cache_entries (key, value, bytes, expires_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value, bytes = excluded.bytes, expires_at = excluded.expires_at`,
    );
    const sweep = db.prepare("DELETE FROM cache_entries WHERE expires_at <= ?");
    const totals = db.prepare<[], { n: number; bytes: number }>(
      "SELECT count(*) AS n, coalesce(sum(bytes), 0) AS bytes FROM cache_entries",
    );
    const oldest = db.prepare<[], { key: string; bytes: number }>(
      "SELECT key, bytes FROM cache_entries ORDER BY expires_at",
    );
    const remove = db.prepare("DELETE FROM cache_entries WHERE key = ?");
    this.commit = db.transaction((writes: Write[]) => {
      for (const w of writes) upsert.run(w.key, w.value, w.bytes, w.expiresAt);
      sweep.run(this.now());
      let { n, bytes } = totals.get() as { n: number; bytes: number };
      const { maxEntries, maxBytes } = this.options.limits;
      if (n <= maxEntries && bytes <= maxBytes) return;
      const victims: string[] = [];
      for (const row of oldest.iterate()) {
        if (n <= maxEntries && bytes <= maxBytes) break;
        victims.push(row.key);
        n -= 1;
        bytes -= row.bytes;
      }
      for (const key of victims) remove.run(key);
    });
  }

  async get(key: string): Promise<CachedAnswer | undefined> {
    const row = this.select.get(key);
    if (!row || row.expires_at <= this.now()) return undefined;
    return decodeAnswer(row.value);
  }

  set(key: string, answer: () => CachedAnswer | undefined, ttlMs: number): Promise<void> {
    if (ttlMs <= 0) return Promise.resolve();
    this.queue.push({ key, answer, expiresAt: this.now() + ttlMs });
    this.flushing ??= new Promise<void>((resolve, reject) => {
      setImmediate(() => {
        const pending = this.queue;
        this.queue = [];
        this.flushing = undefined;
        try {
          this.commit(this.encode(pending));
          resolve();
        } catch (err) {
          reject(err);
        }
      });
    });
    return this.flushing;
  }

  /** The queued answers as rows; an answer over `maxEntryBytes` is dropped here. */
  private encode(pending: Pending[]): Write[] {
    const writes: Write[] = [];
    for (const p of pending) {
      const answer = p.answer();
      if (!answer) continue;
      const value = encodeAnswer(answer);
      const bytes = Buffer.byteLength(value);
      if (bytes <= this.options.limits.maxEntryBytes)
        writes.push({ key: p.key, value, bytes, expiresAt: p.expiresAt });
    }
    return writes;
  }

  async flush(): Promise<void> {
    await this.flushing?.catch(() => {});
  }

  /** Entries and bytes held now, expired ones included until the next write sweeps them (tests, ops). */
  size(): { entries: number; bytes: number } {
    const row = this.db
      .prepare<[], { n: number; bytes: number }>(
        "SELECT count(*) AS n, coalesce(sum(bytes), 0) AS bytes FROM cache_entries",
      )
      .get() as { n: number; bytes: number };
    return { entries: row.n, bytes: row.bytes };
  }

  async close(): Promise<void> {
    await this.flush();
    this.db.close();
  }
}
