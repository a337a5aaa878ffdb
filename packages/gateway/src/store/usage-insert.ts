import { type Kysely, sql } from "kysely";
import type { Database } from "./schema.js";
import { type MultiRowInsert, SqliteUsageWorker } from "./sqlite-usage-worker.js";
import type { UsageEvent } from "./types.js";

/**
 * Usage events are the one write on the request path's heels, so they get a dialect-specific fast path
 * instead of a query builder compiling thousands of placeholders per batch: a prepared statement in
 * one transaction on SQLite (on a worker thread when the database is a file), one constant `unnest`
 * statement on PostgreSQL.
 */
export interface UsageInserter {
  insert(events: readonly UsageEvent[]): Promise<void>;
  close(): Promise<void>;
}

const COLUMNS = [
  "request_id",
  "key_id",
  "provider",
  "model",
  "session_id",
  "end_user",
  "stream",
  "prompt_tokens",
  "completion_tokens",
  "cached_tokens",
  "reasoning_tokens",
  "cost_usd",
  "estimated",
  "latency_ms",
  "ttft_ms",
  "status",
  "error_code",
  "created_at",
] as const;

const PG_TYPES = [
  "text",
  "text",
  "text",
  "text",
  "text",
  "text",
  "int",
  "int",
  "int",
  "int",
  "int",
  "float8",
  "int",
  "int",
  "int",
  "int",
  "text",
  "int8",
] as const;

/**
 * Events as one flat array of INSERT parameters in column order, row after row: what the SQLite worker
 * takes (one object to clone to it, not one per event), and what PostgreSQL's columns are cut from.
 */
export function usageValues(events: readonly UsageEvent[]): unknown[] {
  const values = new Array<unknown>(events.length * COLUMNS.length);
  let i = 0;
  for (const e of events) {
    values[i++] = e.requestId;
    values[i++] = e.keyId;
    values[i++] = e.provider;
    values[i++] = e.model;
    values[i++] = e.sessionId;
    values[i++] = e.user;
    values[i++] = e.stream ? 1 : 0;
    values[i++] = e.promptTokens;
    values[i++] = e.completionTokens;
    values[i++] = e.cachedTokens;
    values[i++] = e.reasoningTokens;
    values[i++] = e.costUsd;
    values[i++] = e.estimated ? 1 : 0;
    values[i++] = Math.round(e.latencyMs);
    values[i++] = e.ttftMs === null ? null : Math.round(e.ttftMs);
    values[i++] = e.status;
    values[i++] = e.errorCode;
    values[i++] = e.createdAt;
  }
  return values;
}

/** 50 rows × 18 columns stays under SQLite's oldest parameter limit (999). */
export const USAGE_INSERT: MultiRowInsert = {
  head: `INSERT INTO usage_events (${COLUMNS.join(", ")}) VALUES `,
  tuple: `(${COLUMNS.map(() => "?").join(", ")})`,
  columns: COLUMNS.length,
  rowsPerStatement: 50,
};

/** On a worker thread with its own connection to `file` (see SqliteUsageWorker). */
export function sqliteWorkerUsageInserter(file: string): UsageInserter {
  const worker = new SqliteUsageWorker(file, USAGE_INSERT);
  return {
    insert: (events) => worker.insert(usageValues(events), events.length),
    close: () => worker.close(),
  };
}

export function postgresUsageInserter(db: Kysely<Database>): UsageInserter {
  const columns = sql.raw(COLUMNS.join(", "));
  return {
    insert: async (events) => {
      const values = usageValues(events);
      const arrays = COLUMNS.map((_, c) => events.map((_, r) => values[r * COLUMNS.length + c]));
      const unnest = sql.join(arrays.map((values, i) => sql`${values}::${sql.raw(PG_TYPES[i] as string)}[]`));
      await sql`INSERT INTO usage_events (${columns}) SELECT * FROM unnest(${unnest})`.execute(db);
    },
    close: async () => {},
  };
}
