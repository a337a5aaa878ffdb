/** What the gateway persists. Implementations: Kysely over SQLite (embedded) or PostgreSQL (shared). */

export type KeyStatus = "active" | "suspended" | "revoked";
export const KEY_STATUSES: readonly KeyStatus[] = ["active", "suspended", "revoked"];

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
}

export interface NewApiKey {
  id: string;
  name: string;
  keyHash: string;
  displayPrefix: string;
}

export interface ApiKeyPatch {
  name?: string;
  status?: KeyStatus;
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
  countUsageEvents(): Promise<number>;
  ping(): Promise<void>;
  close(): Promise<void>;
}
