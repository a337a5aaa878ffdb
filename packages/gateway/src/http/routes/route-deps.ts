import type { Logger } from "pino";
import type { GatewayConfig } from "../../config/config.js";
import { GatewayError } from "../../errors/catalog.js";
import type { Store } from "../../store/types.js";

/** What the usage and template routes need; smaller than the chat pipeline's deps on purpose. */
export interface RouteDeps {
  store: Store;
  log: Logger;
  config: GatewayConfig;
  /** Drops this process's cached templates of an owner after a write. */
  forgetTemplates: (ownerKeyId: string) => void;
}

/** The calling key's id (set by the `/v1` auth hook). */
export function callerKeyId(req: { apiKey: { id: string } | null }): string {
  if (!req.apiKey)
    throw new GatewayError("unauthorized", "Missing API key: send Authorization: Bearer rsk_…");
  return req.apiKey.id;
}
