/** What the gateway persists. Implementations: Kysely over SQLite (embedded) or PostgreSQL (shared). */
import type {
  ProviderOutcome,
  RecentRequest,
  RecentRequestsQuery,
  UsagePoint,
  UsageSeriesQuery,
} from "./insight-types.js";
import type { UsageBatch } from "./usage-batch.js";

export type KeyStatus = "active" | "suspended" | "revoked";
export const KEY_STATUSES: readonly KeyStatus[] = ["active", "suspended", "revoked"];

export type SpendPeriod = "total" | "month";
export const SPEND_PERIODS: readonly SpendPeriod[] = ["total", "month"];

/** Per-key governance; `null` means "no limit". */
export interface KeyLimits {
  /** Requests in any 60-second window. */
  rpm: number | null;
  /** Requests in any 24-hour window. */
  rpd: number | null;
  /** Prompt + completion tokens in any 60-second window. */
  tpm: number | null;
  maxConcurrent: number | null;
  spendCapUsd: number | null;
  /** What the cap counts: all spend ever, or spend since the start of the calendar month (UTC). */
  spendPeriod: SpendPeriod;
}

export const NO_LIMITS: KeyLimits = {
  rpm: null,
  rpd: null,
  tpm: null,
  maxConcurrent: null,
  spendCapUsd: null,
  spendPeriod: "total",
};

/** A key's response cache settings (see docs/configuration.md, "Response cache"). */
export interface KeyCacheSettings {
  /** Seconds an answer to this key is cached for; null: only requests with `cache: {ttl}` use the cache. */
  ttlSeconds: number | null;
  /** Keys with the same namespace share cached answers; null: the key's answers are its own. */
  namespace: string | null;
}

export const NO_CACHE: KeyCacheSettings = { ttlSeconds: null, namespace: null };

export interface ApiKeyRecord {
  id: string;
  name: string;
  keyHash: string;
  /** The first characters of the secret, enough to recognise a key in a list, never enough to use it. */
  displayPrefix: string;
  status: KeyStatus;
  createdAt: number;
  updatedAt: number;
  /** Set when the key was deleted; deleted keys stay as tombstones so other instances notice. */
  deletedAt: number | null;
  limits: KeyLimits;
  /** Model patterns the key may use (`openai/*`, `anthropic/claude-sonnet-4.5`); null: every model. */
  allowedModels: readonly string[] | null;
  /** Absent on records built before the cache existed: caching off, the key's own namespace. */
  cache?: KeyCacheSettings;
}

export interface NewApiKey {
  id: string;
  name: string;
  keyHash: string;
  displayPrefix: string;
  limits?: Partial<KeyLimits>;
  allowedModels?: readonly string[] | null;
  cache?: Partial<KeyCacheSettings>;
}

export interface ApiKeyPatch {
  name?: string;
  status?: KeyStatus;
  /** Fields present here replace the stored ones; `null` removes a limit. */
  limits?: Partial<KeyLimits>;
  /** Replaces the list; `null` allows every model again. */
  allowedModels?: readonly string[] | null;
  /** Fields present here replace the stored ones; `null` turns a setting off. */
  cache?: Partial<KeyCacheSettings>;
}

/** A stored prompt template; `messages`, `params` and `variables` are JSON values. */
export interface TemplateRecord {
  id: string;
  ownerKeyId: string;
  name: string;
  description: string | null;
  system: string | null;
  messages: unknown[];
  model: string | null;
  params: Record<string, unknown>;
  /** Default values of variables; a placeholder without a default must be supplied by the request. */
  variables: Record<string, string | number | boolean>;
  createdAt: number;
  updatedAt: number;
}

export type NewTemplate = Omit<TemplateRecord, "createdAt" | "updatedAt">;
export type TemplatePatch = Partial<Omit<TemplateRecord, "id" | "ownerKeyId" | "createdAt" | "updatedAt">>;

export type UsageGroupBy = "model" | "session_id" | "key" | "day";
export const USAGE_GROUP_BY: readonly UsageGroupBy[] = ["model", "session_id", "key", "day"];

export interface UsageQuery {
  keyId?: string;
  /** Unix ms, inclusive. */
  since?: number;
  /** Unix ms, exclusive. */
  until?: number;
  model?: string;
  sessionId?: string;
  groupBy?: UsageGroupBy;
}

export interface UsageRow {
  /** The group's value (model, session id, key id or YYYY-MM-DD); absent without `groupBy`. */
  group?: string | null;
  requests: number;
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
  reasoningTokens: number;
  costUsd: number;
  /** Requests answered from the response cache. */
  cacheHits?: number;
}

/** One row per request that reached the pipeline past authentication. */
export interface UsageEvent {
  requestId: string;
  keyId: string;
  provider: string | null;
  model: string | null;
  sessionId: string | null;
  user: string | null;
  stream: boolean;
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
  reasoningTokens: number;
  costUsd: number | null;
  /** True when token counts came from the gateway's tokenizer because the upstream reported none. */
  estimated: boolean;
  latencyMs: number;
  ttftMs: number | null;
  status: number;
  errorCode: string | null;
  createdAt: number;
  /** The deployment that answered (or was tried last); null when no attempt was made. */
  deployment: string | null;
  /** Upstream attempts made (0 when the request ended before any). */
  attempts: number;
  /**
   * Every attempt as JSON (`[{attempt, deployment, provider, outcome, status, ms}]`) when there was
   * more than one; null for the common single attempt, whose story the other columns tell.
   */
  attemptLog: string | null;
  /** True when the response cache answered (no upstream call, cost 0); absent means false. */
  cacheHit?: boolean;
}

export interface Store {
  readonly dialect: "sqlite" | "postgres";
  migrate(): Promise<void>;
  createKey(input: NewApiKey): Promise<ApiKeyRecord>;
  /** Keys that are not deleted, oldest first. */
  listKeys(): Promise<ApiKeyRecord[]>;
  getKey(id: string): Promise<ApiKeyRecord | undefined>;
  findKeyByHash(hash: string): Promise<ApiKeyRecord | undefined>;
  /** Every key (deleted ones included) whose `updatedAt` is at or after `sinceMs`. */
  keysChangedSince(sinceMs: number): Promise<ApiKeyRecord[]>;
  updateKey(id: string, patch: ApiKeyPatch): Promise<ApiKeyRecord | undefined>;
  deleteKey(id: string): Promise<boolean>;
  insertUsageEvents(events: readonly UsageEvent[]): Promise<void>;
  /** One batch in one transaction: all of its rows or none (the usage writer's path). */
  insertUsageBatch(batch: UsageBatch): Promise<void>;
  countUsageEvents(): Promise<number>;
  queryUsage(query: UsageQuery): Promise<UsageRow[]>;
  /** Recorded spend per key since `sinceMs` (0: all time); how caps survive a restart. */
  spendByKey(sinceMs: number, keyId?: string): Promise<Map<string, number>>;
  /** Usage per time bucket (and group) for the dashboard's charts. */
  usageSeries(query: UsageSeriesQuery): Promise<UsagePoint[]>;
  /** The newest usage events, newest first. */
  recentRequests(query: RecentRequestsQuery): Promise<RecentRequest[]>;
  /** Per provider, the outcomes of its requests since `sinceMs`. */
  providerOutcomes(sinceMs: number): Promise<ProviderOutcome[]>;
  createTemplate(input: NewTemplate): Promise<TemplateRecord>;
  listTemplates(ownerKeyId: string): Promise<TemplateRecord[]>;
  /** By id, or by name when no template has that id. */
  findTemplate(ownerKeyId: string, idOrName: string): Promise<TemplateRecord | undefined>;
  updateTemplate(ownerKeyId: string, id: string, patch: TemplatePatch): Promise<TemplateRecord | undefined>;
  deleteTemplate(ownerKeyId: string, id: string): Promise<boolean>;
  ping(): Promise<void>;
  close(): Promise<void>;
}
