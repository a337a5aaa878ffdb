import { type Kysely, type Selectable, sql } from "kysely";
import type {
  ProviderOutcome,
  RecentRequest,
  RecentRequestsQuery,
  UsagePoint,
  UsageSeriesQuery,
} from "./insight-types.js";
import { type Dialect, migrateToLatest } from "./migrations.js";
import type { Database } from "./schema.js";
import { TemplateQueries } from "./template-queries.js";
import {
  type ApiKeyPatch,
  type ApiKeyRecord,
  type KeyCacheSettings,
  type KeyLimits,
  type KeyStatus,
  type NewApiKey,
  type NewTemplate,
  NO_CACHE,
  NO_LIMITS,
  type SpendPeriod,
  type Store,
  type TemplatePatch,
  type TemplateRecord,
  type UsageEvent,
  type UsageQuery,
  type UsageRow,
} from "./types.js";
import { UsageBatch } from "./usage-batch.js";
import type { UsageInserter } from "./usage-insert.js";
import { providerOutcomes, recentRequests, usageSeries } from "./usage-insights.js";
import { queryUsage, spendByKey } from "./usage-queries.js";

/** PostgreSQL returns bigint columns as strings; SQLite as numbers. */
const toMs = (v: number | string): number => (typeof v === "number" ? v : Number(v));

function toKey(row: Selectable<Database["api_keys"]>): ApiKeyRecord {
  return {
    id: row.id,
    name: row.name,
    keyHash: row.key_hash,
    displayPrefix: row.display_prefix,
    status: row.status as KeyStatus,
    createdAt: toMs(row.created_at),
    updatedAt: toMs(row.updated_at),
    deletedAt: row.deleted_at === null ? null : toMs(row.deleted_at),
    limits: {
      rpm: row.rpm,
      rpd: row.rpd,
      tpm: row.tpm,
      maxConcurrent: row.max_concurrent,
      spendCapUsd: row.spend_cap_usd === null ? null : Number(row.spend_cap_usd),
      spendPeriod: row.spend_period as SpendPeriod,
    },
    allowedModels: parseModelColumn(row.allowed_models),
    cache: { ttlSeconds: row.cache_ttl_seconds ?? null, namespace: row.cache_namespace ?? null },
  };
}

/** The allow-list column: a JSON array of patterns, or NULL for every model. */
function parseModelColumn(text: string | null): readonly string[] | null {
  if (text === null) return null;
  try {
    const list: unknown = JSON.parse(text);
    if (Array.isArray(list) && list.every((p) => typeof p === "string")) return Object.freeze(list);
  } catch {
    // Fall through: an unreadable list allows nothing rather than everything.
  }
  return Object.freeze([]);
}

function modelColumn(list: readonly string[] | null): string | null {
  return list === null ? null : JSON.stringify(list);
}

type CacheColumns = Pick<Database["api_keys"], "cache_ttl_seconds" | "cache_namespace">;

function cacheColumns(cache: Partial<KeyCacheSettings>): Partial<CacheColumns> {
  const cols: Partial<CacheColumns> = {};
  if (cache.ttlSeconds !== undefined) cols.cache_ttl_seconds = cache.ttlSeconds;
  if (cache.namespace !== undefined) cols.cache_namespace = cache.namespace;
  return cols;
}

type LimitColumns = Pick<
  Database["api_keys"],
  "rpm" | "rpd" | "tpm" | "max_concurrent" | "spend_cap_usd" | "spend_period"
>;

function limitColumns(limits: Partial<KeyLimits>): Partial<LimitColumns> {
  const cols: Partial<LimitColumns> = {};
  if (limits.rpm !== undefined) cols.rpm = limits.rpm;
  if (limits.rpd !== undefined) cols.rpd = limits.rpd;
  if (limits.tpm !== undefined) cols.tpm = limits.tpm;
  if (limits.maxConcurrent !== undefined) cols.max_concurrent = limits.maxConcurrent;
  if (limits.spendCapUsd !== undefined) cols.spend_cap_usd = limits.spendCapUsd;
  if (limits.spendPeriod !== undefined) cols.spend_period = limits.spendPeriod;
  return cols;
}

/**
 * The one query code path for both dialects. Each write stamps `updated_at` from this process's clock;
 * other instances find changes by polling `updated_at` with an overlap window (see KeyCache).
 */
export class KyselyStore implements Store {
  private insertUsage: UsageInserter | undefined;
  private readonly templates: TemplateQueries;

  constructor(
    private readonly db: Kysely<Database>,
    readonly dialect: Dialect,
    /** Built after migrations, since a prepared statement needs its table to exist. */
    private readonly makeUsageInserter: () => UsageInserter,
  ) {
    this.templates = new TemplateQueries(db);
  }

  async migrate(): Promise<void> {
    await migrateToLatest(this.db as unknown as Kysely<unknown>, this.dialect);
    this.insertUsage = this.makeUsageInserter();
  }

  async createKey(input: NewApiKey): Promise<ApiKeyRecord> {
    const now = Date.now();
    const row = {
      id: input.id,
      name: input.name,
      key_hash: input.keyHash,
      display_prefix: input.displayPrefix,
      status: "active",
      created_at: now,
      updated_at: now,
      deleted_at: null,
      ...limitColumns({ ...NO_LIMITS, ...input.limits }),
      allowed_models: modelColumn(input.allowedModels ?? null),
      ...cacheColumns({ ...NO_CACHE, ...input.cache }),
    } as Database["api_keys"];
    await this.db.insertInto("api_keys").values(row).execute();
    return toKey(row);
  }

  async listKeys(): Promise<ApiKeyRecord[]> {
    const rows = await this.db
      .selectFrom("api_keys")
      .selectAll()
      .where("deleted_at", "is", null)
      .orderBy("created_at")
      .orderBy("id")
      .execute();
    return rows.map(toKey);
  }

  async getKey(id: string): Promise<ApiKeyRecord | undefined> {
    const row = await this.db
      .selectFrom("api_keys")
      .selectAll()
      .where("id", "=", id)
      .where("deleted_at", "is", null)
      .executeTakeFirst();
    return row && toKey(row);
  }

  async findKeyByHash(hash: string): Promise<ApiKeyRecord | undefined> {
    const row = await this.db
      .selectFrom("api_keys")
      .selectAll()
      .where("key_hash", "=", hash)
      .executeTakeFirst();
    return row && toKey(row);
  }

  async keysChangedSince(sinceMs: number): Promise<ApiKeyRecord[]> {
    const rows = await this.db
      .selectFrom("api_keys")
      .selectAll()
      .where("updated_at", ">=", sinceMs)
      .execute();
    return rows.map(toKey);
  }

  async updateKey(id: string, patch: ApiKeyPatch): Promise<ApiKeyRecord | undefined> {
    const values: Partial<Database["api_keys"]> = { updated_at: Date.now() };
    if (patch.name !== undefined) values.name = patch.name;
    if (patch.status !== undefined) values.status = patch.status;
    if (patch.limits !== undefined) Object.assign(values, limitColumns(patch.limits));
    if (patch.allowedModels !== undefined) values.allowed_models = modelColumn(patch.allowedModels);
    if (patch.cache !== undefined) Object.assign(values, cacheColumns(patch.cache));
    await this.db
      .updateTable("api_keys")
      .set(values)
      .where("id", "=", id)
      .where("deleted_at", "is", null)
      .execute();
    return this.getKey(id);
  }

  async deleteKey(id: string): Promise<boolean> {
    const now = Date.now();
    const result = await this.db
      .updateTable("api_keys")
      .set({ deleted_at: now, updated_at: now, status: "revoked" })
      .where("id", "=", id)
      .where("deleted_at", "is", null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async insertUsageEvents(events: readonly UsageEvent[]): Promise<void> {
    for (let i = 0; i < events.length; i += 1000) {
      await this.insertUsageBatch(UsageBatch.of(events.slice(i, i + 1000)));
    }
  }

  async insertUsageBatch(batch: UsageBatch): Promise<void> {
    if (batch.rows === 0) return;
    if (!this.insertUsage) throw new Error("store used before migrate()");
    await this.insertUsage.insert(batch);
  }

  async countUsageEvents(): Promise<number> {
    const row = await this.db
      .selectFrom("usage_events")
      .select((eb) => eb.fn.countAll<number | string>().as("n"))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  queryUsage(query: UsageQuery): Promise<UsageRow[]> {
    return queryUsage(this.db, this.dialect, query);
  }

  spendByKey(sinceMs: number, keyId?: string): Promise<Map<string, number>> {
    return spendByKey(this.db, sinceMs, keyId);
  }

  usageSeries(query: UsageSeriesQuery): Promise<UsagePoint[]> {
    return usageSeries(this.db, this.dialect, query);
  }

  recentRequests(query: RecentRequestsQuery): Promise<RecentRequest[]> {
    return recentRequests(this.db, query);
  }

  providerOutcomes(sinceMs: number): Promise<ProviderOutcome[]> {
    return providerOutcomes(this.db, sinceMs);
  }

  createTemplate(input: NewTemplate): Promise<TemplateRecord> {
    return this.templates.create(input);
  }

  listTemplates(ownerKeyId: string): Promise<TemplateRecord[]> {
    return this.templates.list(ownerKeyId);
  }

  findTemplate(ownerKeyId: string, idOrName: string): Promise<TemplateRecord | undefined> {
    return this.templates.find(ownerKeyId, idOrName);
  }

  updateTemplate(ownerKeyId: string, id: string, patch: TemplatePatch): Promise<TemplateRecord | undefined> {
    return this.templates.update(ownerKeyId, id, patch);
  }

  deleteTemplate(ownerKeyId: string, id: string): Promise<boolean> {
    return this.templates.remove(ownerKeyId, id);
  }

  async ping(): Promise<void> {
    await sql`select 1`.execute(this.db);
  }

  async close(): Promise<void> {
    await this.insertUsage?.close();
    await this.db.destroy();
  }
}
