import type { UsageRow } from "../../src/store/types.js";
import type { Harness } from "./harness.js";

/** The recorded usage of one key (by its secret) per model, after the usage writer flushed. */
export async function usageByModel(h: Harness, secret: string): Promise<Map<string, UsageRow>> {
  await h.gateway.usage.flush();
  const key = await h.gateway.keys.lookup(secret);
  if (!key) throw new Error("unknown key");
  const rows = await h.gateway.store.queryUsage({ keyId: key.id, groupBy: "model" });
  return new Map(rows.map((r) => [String(r.group), r]));
}
