import { type Kysely, sql } from "kysely";
import type { Database } from "./schema.js";
import { SqliteUsageWorker } from "./sqlite-usage-worker.js";
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

/** One event as the INSERT's parameters, in column order. */
export function usageRow(e: UsageEvent): unknown[] {
  return [
    e.requestId,
    e.keyId,
    e.provider,
    e.model,
    e.sessionId,
    e.user,
    e.stream ? 1 : 0,
    e.promptTokens,
    e.completionTokens,
    e.cachedTokens,
    e.reasoningTokens,
    e.costUsd,
    e.estimated ? 1 : 0,
    Math.round(e.latencyMs),
    e.ttftMs === null ? null : Math.round(e.ttftMs),
    e.status,
    e.errorCode,
    e.createdAt,
  ];
}

export const USAGE_INSERT_SQL = `INSERT INTO usage_events (${COLUMNS.join(", ")}) VALUES (${COLUMNS.map(() => "?").join(", ")})`;

/** On a worker thread with its own connection to `file` (see SqliteUsageWorker). */
export function sqliteWorkerUsageInserter(file: string): UsageInserter {
  const worker = new SqliteUsageWorker(file, USAGE_INSERT_SQL);
  return {
    insert: (events) => worker.insert(events.map(usageRow)),
    close: () => worker.close(),
  };
}

export function postgresUsageInserter(db: Kysely<Database>): UsageInserter {
  const columns = sql.raw(COLUMNS.join(", "));
  return {
    insert: async (events) => {
      const rows = events.map(usageRow);
      const arrays = COLUMNS.map((_, i) => rows.map((r) => r[i]));
      const unnest = sql.join(arrays.map((values, i) => sql`${values}::${sql.raw(PG_TYPES[i] as string)}[]`));
      await sql`INSERT INTO usage_events (${columns}) SELECT * FROM unnest(${unnest})`.execute(db);
    },
    close: async () => {},
  };
}
