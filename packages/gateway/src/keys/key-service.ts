import { GatewayError } from "../errors/catalog.js";
import type { ApiKeyRecord, KeyCacheSettings, KeyLimits, KeyStatus, Store } from "../store/types.js";
import { type CacheView, toCacheView } from "./key-cache-settings.js";
import { generateKey, newKeyId } from "./key-format.js";
import { type LimitView, toLimitView } from "./key-limits.js";

/** A key as shown to operators: never the hash, never the secret (except once, at creation). */
export interface KeyView extends LimitView, CacheView {
  id: string;
  name: string;
  status: KeyStatus;
  display_prefix: string;
  /** Model patterns the key may use; null: every model. */
  allowed_models: readonly string[] | null;
  created_at: string;
  updated_at: string;
}

export function toKeyView(k: ApiKeyRecord): KeyView {
  return {
    id: k.id,
    name: k.name,
    status: k.status,
    display_prefix: k.displayPrefix,
    ...toLimitView(k.limits),
    allowed_models: k.allowedModels,
    ...toCacheView(k.cache),
    created_at: new Date(k.createdAt).toISOString(),
    updated_at: new Date(k.updatedAt).toISOString(),
  };
}

/** Key management shared by the CLI and the admin API, so both enforce the same rules. */
export class KeyService {
  constructor(private readonly store: Store) {}

  async create(
    name: string,
    limits: Partial<KeyLimits> = {},
    settings: { allowedModels?: readonly string[] | null; cache?: Partial<KeyCacheSettings> } = {},
  ): Promise<{ record: ApiKeyRecord; key: string }> {
    const material = generateKey();
    const record = await this.store.createKey({
      id: newKeyId(),
      name,
      keyHash: material.hash,
      displayPrefix: material.displayPrefix,
      limits,
      allowedModels: settings.allowedModels ?? null,
      cache: settings.cache ?? {},
    });
    return { record, key: material.key };
  }

  list(): Promise<ApiKeyRecord[]> {
    return this.store.listKeys();
  }

  async get(id: string): Promise<ApiKeyRecord> {
    const key = await this.store.getKey(id);
    if (!key) throw new GatewayError("not_found", `No key with id "${id}".`);
    return key;
  }

  /** Revocation is final: a revoked key cannot be suspended or activated again. */
  async update(
    id: string,
    patch: {
      name?: string;
      status?: KeyStatus;
      limits?: Partial<KeyLimits>;
      allowedModels?: readonly string[] | null;
      cache?: Partial<KeyCacheSettings>;
    },
  ): Promise<ApiKeyRecord> {
    const current = await this.get(id);
    if (patch.status && patch.status !== current.status && current.status === "revoked") {
      throw new GatewayError("conflict", `Key "${id}" is revoked; revocation cannot be undone.`);
    }
    const updated = await this.store.updateKey(id, patch);
    if (!updated) throw new GatewayError("not_found", `No key with id "${id}".`);
    return updated;
  }

  async remove(id: string): Promise<void> {
    if (!(await this.store.deleteKey(id))) throw new GatewayError("not_found", `No key with id "${id}".`);
  }
}
