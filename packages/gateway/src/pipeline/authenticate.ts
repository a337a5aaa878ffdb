import type { IncomingHttpHeaders } from "node:http";
import { GatewayError } from "../errors/catalog.js";
import type { KeyCache } from "../keys/key-cache.js";
import { looksLikeKey } from "../keys/key-format.js";
import type { ApiKeyRecord } from "../store/types.js";

/** The bearer token of `Authorization`, or of `x-api-key` for clients that send keys the Anthropic way. */
export function presentedKey(headers: IncomingHttpHeaders): string | undefined {
  const auth = headers.authorization;
  if (typeof auth === "string") {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    return match?.[1];
  }
  const apiKey = headers["x-api-key"];
  return typeof apiKey === "string" ? apiKey.trim() : undefined;
}

/**
 * Resolves the caller's key; every failure is 401 except a suspended key, which is 403. Synchronous
 * (returns or throws) when the key cache can answer from memory, a promise only on a cache miss.
 */
export function authenticate(
  headers: IncomingHttpHeaders,
  keys: KeyCache,
): ApiKeyRecord | Promise<ApiKeyRecord> {
  const secret = presentedKey(headers);
  if (!secret) {
    throw new GatewayError("unauthorized", "Missing API key: send Authorization: Bearer rsk_…");
  }
  if (!looksLikeKey(secret)) throw invalidKey();
  const found = keys.lookup(secret);
  return found instanceof Promise ? found.then(usableKey) : usableKey(found);
}

function usableKey(key: ApiKeyRecord | undefined): ApiKeyRecord {
  if (!key) throw invalidKey();
  if (key.status === "revoked") throw new GatewayError("unauthorized", "This API key has been revoked.");
  if (key.status === "suspended") throw new GatewayError("forbidden", "This API key is suspended.");
  return key;
}

function invalidKey(): GatewayError {
  return new GatewayError("unauthorized", "Invalid API key.");
}
