import type { FastifyInstance } from "fastify";
import { type GatewayConfig, isConfigured } from "../../config/config.js";
import { GatewayError } from "../../errors/catalog.js";
import type { ServerDeps } from "../server.js";

export interface ModelEntry {
  id: string;
  object: "model";
  created: number;
  owned_by: string;
  /** USD per one million tokens, when known. */
  pricing?: { input: number; output: number; cached_input: number };
}

/** The routing table as OpenAI's model list: configured providers' known models. */
export function listModels(config: GatewayConfig): ModelEntry[] {
  const entries: ModelEntry[] = [];
  for (const provider of config.providers.values()) {
    if (!isConfigured(provider)) continue;
    for (const model of provider.models) {
      const id = `${provider.name}/${model}`;
      const price = config.prices.get(id);
      const entry: ModelEntry = { id, object: "model", created: 0, owned_by: provider.name };
      if (price)
        entry.pricing = {
          input: price.input,
          output: price.output,
          cached_input: price.cachedInput ?? price.input,
        };
      entries.push(entry);
    }
  }
  return entries;
}

export function registerModelRoutes(app: FastifyInstance, deps: ServerDeps): void {
  const models = listModels(deps.config);
  const byId = new Map(models.map((m) => [m.id, m]));
  app.get("/v1/models", async () => ({ object: "list", data: models }));
  app.get("/v1/models/*", async (req) => {
    const id = (req.params as { "*": string })["*"];
    const model = byId.get(id);
    if (!model) throw new GatewayError("model_not_found", `Model "${id}" is not in this gateway's list.`);
    return model;
  });
}
