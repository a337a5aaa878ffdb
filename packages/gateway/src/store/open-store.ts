import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { Kysely, PostgresDialect, SqliteDialect } from "kysely";
import { KyselyStore } from "./kysely-store.js";
import type { Database } from "./schema.js";
import type { Store } from "./types.js";
import { postgresUsageInserter, sqliteWorkerUsageInserter } from "./usage-insert.js";

export interface StoreLocation {
  /** `postgres://…` selects PostgreSQL; otherwise the embedded SQLite file in `dataDir`. */
  databaseUrl?: string | undefined;
  dataDir: string;
}

export const SQLITE_FILE_NAME = "meshapi.sqlite";

export function describeStore(loc: StoreLocation): string {
  if (loc.databaseUrl) return `PostgreSQL (${redactUrl(loc.databaseUrl)})`;
  return `SQLite (${join(resolve(loc.dataDir), SQLITE_FILE_NAME)})`;
}

/** Opens the store and brings its schema up to date. */
export async function openStore(loc: StoreLocation): Promise<Store> {
  const store = loc.databaseUrl ? await openPostgres(loc.databaseUrl) : openSqlite(loc.dataDir);
  try {
    await store.migrate();
  } catch (err) {
    await store.close().catch(() => {});
    throw err;
  }
  return store;
}

function openSqlite(dataDir: string): Store {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, SQLITE_FILE_NAME);
  const database = new BetterSqlite3(file);
  // WAL lets the CLI write while a server reads; busy_timeout makes the two wait instead of failing.
  database.pragma("journal_mode = WAL");
  database.pragma("busy_timeout = 5000");
  database.pragma("synchronous = NORMAL");
  return new KyselyStore(new Kysely<Database>({ dialect: new SqliteDialect({ database }) }), "sqlite", () =>
    sqliteWorkerUsageInserter(file),
  );
}

/** The pg driver is loaded only here: an embedded gateway (and every CLI command on SQLite) never pays for it. */
async function openPostgres(url: string): Promise<Store> {
  const { default: pg } = await import("pg");
  // A connect that never completes (the host vanished rather than refused) must fail, or the usage
  // writer's retry would wait on it forever; keep-alive finds half-open connections the same way.
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    connectionTimeoutMillis: 10_000,
    keepAlive: true,
  });
  // PostgreSQL restarted or a connection cut: `pg` emits the error on the client (checked out or idle)
  // and on the pool, and an `error` event nobody listens to ends the process. The query running on it
  // fails on its own (its caller retries or answers), and the pool drops the broken client and connects
  // anew for the next query, so the events themselves carry nothing more to do.
  pool.on("error", () => {});
  pool.on("connect", (client) => client.on("error", () => {}));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return new KyselyStore(db, "postgres", () => postgresUsageInserter(db));
}

function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "invalid URL";
  }
}
