import { type Kysely, sql } from "kysely";
import type { Database } from "./schema.js";
import { type MultiRowInsert, SqliteUsageWorker } from "./sqlite-usage-worker.js";
import { columnValues, NUMBER_COUNT, TEXT_COUNT, USAGE_COLUMNS, type UsageBatch } from "./usage-batch.js";

/**
 * Usage events are the one write on the request path's heels, so they get a dialect-specific fast path
 * instead of a query builder compiling thousands of placeholders per batch: a prepared statement in
 * one transaction on SQLite (on a worker thread when the database is a file), one constant `unnest`
 * statement on PostgreSQL.
 */
export interface UsageInserter {
  insert(batch: UsageBatch): Promise<void>;
  close(): Promise<void>;
}

/** PostgreSQL's type for each column's array in the `unnest`: text, or these for the numbers. */
const PG_NUMBER_TYPES: Record<string, string> = { cost_usd: "float8", created_at: "int8" };
const pgType = (c: (typeof USAGE_COLUMNS)[number]) =>
  c.source[0] === "number" ? (PG_NUMBER_TYPES[c.name] ?? "int") : "text";

/** 45 rows × 22 columns stays under SQLite's oldest parameter limit (999). */
export const USAGE_INSERT: MultiRowInsert = {
  head: `INSERT INTO usage_events (${USAGE_COLUMNS.map((c) => c.name).join(", ")}) VALUES `,
  tuple: `(${USAGE_COLUMNS.map(() => "?").join(", ")})`,
  rowsPerStatement: 45,
  sources: USAGE_COLUMNS.map((c) => c.source),
  numberCount: NUMBER_COUNT,
  textCount: TEXT_COUNT,
};

/** On a worker thread with its own connection to `file` (see SqliteUsageWorker). */
export function sqliteWorkerUsageInserter(file: string): UsageInserter {
  const worker = new SqliteUsageWorker(file, USAGE_INSERT);
  return {
    insert: (batch) => worker.insert(batch.packed()),
    close: () => worker.close(),
  };
}

export function postgresUsageInserter(db: Kysely<Database>): UsageInserter {
  const columns = sql.raw(USAGE_COLUMNS.map((c) => c.name).join(", "));
  return {
    insert: async (batch) => {
      const packed = batch.packed();
      const unnest = sql.join(
        USAGE_COLUMNS.map((c) => sql`${columnValues(packed, c.source)}::${sql.raw(pgType(c))}[]`),
      );
      await sql`INSERT INTO usage_events (${columns}) SELECT * FROM unnest(${unnest})`.execute(db);
    },
    close: async () => {},
  };
}
