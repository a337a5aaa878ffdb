import { type Kysely, type Migration, type MigrationProvider, Migrator, sql } from "kysely";

/**
 * Versioned migrations, one definition for both dialects. Append new entries; never edit a published
 * one. Names sort lexically, which is the order Kysely applies them in.
 */
export type Dialect = "sqlite" | "postgres";

function migrations(dialect: Dialect): Record<string, Migration> {
  return {
    "0001_keys_and_usage": {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable("api_keys")
          .addColumn("id", "text", (c) => c.primaryKey())
          .addColumn("name", "text", (c) => c.notNull())
          .addColumn("key_hash", "text", (c) => c.notNull().unique())
          .addColumn("display_prefix", "text", (c) => c.notNull())
          .addColumn("status", "text", (c) => c.notNull())
          .addColumn("created_at", "bigint", (c) => c.notNull())
          .addColumn("updated_at", "bigint", (c) => c.notNull())
          .addColumn("deleted_at", "bigint")
          .execute();
        await db.schema.createIndex("api_keys_updated_at").on("api_keys").column("updated_at").execute();

        await db.schema
          .createTable("usage_events")
          .addColumn("id", dialect === "postgres" ? "bigint" : "integer", (c) =>
            dialect === "postgres"
              ? c.primaryKey().generatedByDefaultAsIdentity()
              : c.primaryKey().autoIncrement(),
          )
          .addColumn("request_id", "text", (c) => c.notNull())
          .addColumn("key_id", "text", (c) => c.notNull())
          .addColumn("provider", "text")
          .addColumn("model", "text")
          .addColumn("session_id", "text")
          .addColumn("end_user", "text")
          .addColumn("stream", "integer", (c) => c.notNull())
          .addColumn("prompt_tokens", "integer", (c) => c.notNull())
          .addColumn("completion_tokens", "integer", (c) => c.notNull())
          .addColumn("cached_tokens", "integer", (c) => c.notNull())
          .addColumn("reasoning_tokens", "integer", (c) => c.notNull())
          .addColumn("cost_usd", "double precision")
          .addColumn("estimated", "integer", (c) => c.notNull())
          .addColumn("latency_ms", "integer", (c) => c.notNull())
          .addColumn("ttft_ms", "integer")
          .addColumn("status", "integer", (c) => c.notNull())
          .addColumn("error_code", "text")
          .addColumn("created_at", "bigint", (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex("usage_events_key_time")
          .on("usage_events")
          .columns(["key_id", "created_at"])
          .execute();
        await db.schema.createIndex("usage_events_time").on("usage_events").column("created_at").execute();
      },
    },
    "0002_limits_and_templates": {
      async up(db: Kysely<unknown>) {
        // SQLite adds one column per ALTER TABLE, so each is its own statement on both dialects.
        for (const column of ["rpm", "rpd", "tpm", "max_concurrent"]) {
          await db.schema.alterTable("api_keys").addColumn(column, "integer").execute();
        }
        await db.schema.alterTable("api_keys").addColumn("spend_cap_usd", "double precision").execute();
        await db.schema
          .alterTable("api_keys")
          .addColumn("spend_period", "text", (c) => c.notNull().defaultTo("total"))
          .execute();

        await db.schema
          .createTable("templates")
          .addColumn("id", "text", (c) => c.primaryKey())
          .addColumn("owner_key_id", "text", (c) => c.notNull())
          .addColumn("name", "text", (c) => c.notNull())
          .addColumn("description", "text")
          .addColumn("system", "text")
          .addColumn("messages", "text", (c) => c.notNull())
          .addColumn("model", "text")
          .addColumn("params", "text", (c) => c.notNull())
          .addColumn("variables", "text", (c) => c.notNull())
          .addColumn("created_at", "bigint", (c) => c.notNull())
          .addColumn("updated_at", "bigint", (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex("templates_owner_name")
          .unique()
          .on("templates")
          .columns(["owner_key_id", "name"])
          .execute();
        await db.schema
          .createIndex("usage_events_session")
          .on("usage_events")
          .columns(["session_id", "created_at"])
          .execute();
      },
    },
    "0003_usage_session_index_partial": {
      // Most requests carry no session_id, yet every one of them cost an entry in this index: ~12 % of
      // the usage writer's work per event. Filters on session_id (=) imply it is not null, so both
      // dialects still use the partial index for them.
      async up(db: Kysely<unknown>) {
        await db.schema.dropIndex("usage_events_session").execute();
        await db.schema
          .createIndex("usage_events_session")
          .on("usage_events")
          .columns(["session_id", "created_at"])
          .where(sql.ref("session_id"), "is not", null)
          .execute();
      },
    },
    "0004_model_access_and_attempts": {
      // Existing rows: every key keeps every model (NULL), every past request made one attempt.
      async up(db: Kysely<unknown>) {
        await db.schema.alterTable("api_keys").addColumn("allowed_models", "text").execute();
        await db.schema.alterTable("usage_events").addColumn("deployment", "text").execute();
        await db.schema
          .alterTable("usage_events")
          .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(1))
          .execute();
        await db.schema.alterTable("usage_events").addColumn("attempt_log", "text").execute();
      },
    },
    "0005_response_cache": {
      // A key's cache settings, and whether a usage event was answered from the cache.
      async up(db: Kysely<unknown>) {
        await db.schema.alterTable("api_keys").addColumn("cache_ttl_seconds", "integer").execute();
        await db.schema.alterTable("api_keys").addColumn("cache_namespace", "text").execute();
        await db.schema
          .alterTable("usage_events")
          .addColumn("cache_hit", "integer", (c) => c.notNull().defaultTo(0))
          .execute();
      },
    },
  };
}

class StaticProvider implements MigrationProvider {
  constructor(private readonly dialect: Dialect) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    return migrations(this.dialect);
  }
}

export async function migrateToLatest(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const migrator = new Migrator({ db, provider: new StaticProvider(dialect) });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === "Error")?.migrationName ?? "unknown";
    throw new Error(`database migration ${failed} failed: ${(error as Error).message ?? String(error)}`);
  }
}

/** Used by readiness checks: one trivial round trip. */
export async function pingDatabase(db: Kysely<unknown>): Promise<void> {
  await sql`select 1`.execute(db);
}
