import type { FastifyInstance } from "fastify";
import { type GatewayConfig, isConfigured } from "../../config/config.js";
import type { ModelPrice } from "../../config/prices.js";
import { GatewayError } from "../../errors/catalog.js";
import { checkModelAccess, modelAllowed } from "../../routing/model-access.js";
import type { ServerDeps } from "../server.js";

export interface ModelEntry {
  id: string;
  object: "model";
  created: number;
  owned_by: string;
  /** USD per one million tokens, when known. */
  pricing?: { input: number; output: number; cached_input: number };
}

/**
 * The routing table as OpenAI's model list: the public names of `routing.models` that have a deployment
 * with credentials, then the configured providers' known models.
 */
export function listModels(config: GatewayConfig): ModelEntry[] {
  const entries: ModelEntry[] = [];
  for (const [id, group] of config.routing.models) {
    const live = group.deployments.filter((d) => isConfigured(d.provider));
    if (live.length === 0) continue;
    const entry: ModelEntry = { id, object: "model", created: 0, owned_by: "meshapi" };
    // A price only when every deployment bills the same: otherwise it depends on which one answers.
    const prices = live.map((d) => config.prices.get(d.model));
    const [first] = prices;
    if (first && prices.every((p) => p && p.input === first.input && p.output === first.output))
      entry.pricing = pricing(first);
    entries.push(entry);
  }
  for (const provider of config.providers.values()) {
    if (!isConfigured(provider)) continue;
    for (const model of provider.models) {
      const id = `${provider.name}/${model}`;
      const price = config.prices.get(id);
      if (config.routing.models.has(id)) continue; // listed above, as served by its deployments
      const entry: ModelEntry = { id, object: "model", created: 0, owned_by: provider.name };
      if (price) entry.pricing = pricing(price);
      entries.push(entry);
    }
  }
  return entries;
}

function pricing(price: ModelPrice): NonNullable<ModelEntry["pricing"]> {
  return { input: price.input, output: price.output, cached_input: price.cachedInput ?? price.input };
}

/** A key limited to some models (`allowed_models`) sees only those. */
export function registerModelRoutes(app: FastifyInstance, deps: ServerDeps): void {
  const models = listModels(deps.config);
  const byId = new Map(models.map((m) => [m.id, m]));
  app.get("/v1/models", async (req) => {
    const key = req.apiKey;
    const data = key && key.allowedModels !== null ? models.filter((m) => modelAllowed(key, m.id)) : models;
    return { object: "list", data };
  });
  app.get("/v1/models/*", async (req) => {
    const id = (req.params as { "*": string })["*"];
    const model = byId.get(id);
    if (!model) throw new GatewayError("model_not_found", `Model "${id}" is not in this gateway's list.`);
    if (req.apiKey) checkModelAccess(req.apiKey, id);
    return model;
  });
}
