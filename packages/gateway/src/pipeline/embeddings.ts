import type { GatewayConfig } from "../config/config.js";
import type { ModelPrice } from "../config/prices.js";
import { toNanos } from "../limits/types.js";
import type { EmbedderRegistry } from "../providers/embeddings/registry.js";
import type { Embedder, EmbeddingsResponse } from "../providers/embeddings/types.js";
import type { Usage } from "../providers/openai-types.js";
import { type EmbeddingsRequest, embeddingsRequestSchema, inputList } from "./embeddings-request.js";
import { type Aborted, type GovernedDeps, type GovernedExchange, governed } from "./governed.js";
import { type RouteTarget, resolveRoutes } from "./resolve-route.js";
import { countTextTokens, priceUsage } from "./usage-math.js";
import { unsupported, validateBody } from "./validate-body.js";

export interface EmbeddingsDeps extends GovernedDeps {
  config: GatewayConfig;
  embedders: EmbedderRegistry;
}

export type EmbeddingsResult = { kind: "json"; body: EmbeddingsResponse } | Aborted;

/**
 * The embeddings pipeline, top to bottom: validate → resolve the route → admit (rate limits, spend
 * reservation) → call the provider → price the tokens → respond; `governed` accounts and settles.
 */
export function handleEmbeddings(deps: EmbeddingsDeps, ex: GovernedExchange): Promise<EmbeddingsResult> {
  return governed(deps, ex, async ({ acct, admit }) => {
    const request = validateBody(embeddingsRequestSchema, ex.body);
    acct.describe(request);
    const [target] = resolveRoutes(deps.config, request.model) as [RouteTarget];
    acct.route(target);
    const embedder = embedderFor(deps, target);
    await admit(() => worstCaseNanos(request, target.price));
    const response = await embedder.embed({
      provider: target.provider,
      upstreamModel: target.upstreamModel,
      request,
      signal: ex.signal,
      requestId: ex.requestId,
    });
    response.model = target.publicModel;
    const usage = await usageOf(request, response);
    acct.succeed(priceUsage(usage, target.price));
    response.usage = {
      prompt_tokens: usage.prompt_tokens,
      total_tokens: usage.prompt_tokens,
      ...(usage.cost !== undefined ? { cost: usage.cost } : {}),
      ...(usage.estimated ? { estimated: true } : {}),
    };
    return { kind: "json" as const, body: response };
  });
}

function embedderFor(deps: EmbeddingsDeps, target: RouteTarget): Embedder {
  const embedder = deps.embedders[target.provider.format];
  if (!embedder) {
    throw unsupported(
      "model",
      `Provider "${target.provider.name}" (${target.provider.format} format) has no embeddings API.`,
    );
  }
  return embedder;
}

/** The upstream's token count, or the gateway's own (marked estimated) when it reported none. */
async function usageOf(request: EmbeddingsRequest, response: EmbeddingsResponse): Promise<Usage> {
  const reported = response.usage?.prompt_tokens;
  if (typeof reported === "number")
    return { prompt_tokens: reported, completion_tokens: 0, total_tokens: reported };
  let tokens = 0;
  for (const input of inputList(request.input)) {
    tokens += typeof input === "string" ? await countTextTokens(input) : input.length;
  }
  return { prompt_tokens: tokens, completion_tokens: 0, total_tokens: tokens, estimated: true };
}

/** Characters / 3 errs high for every common tokenizer (see limits/reservation.ts); token ids count as given. */
function worstCaseNanos(request: EmbeddingsRequest, price: ModelPrice | undefined): number {
  if (!price) return 0;
  let tokens = 0;
  for (const input of inputList(request.input)) {
    tokens += typeof input === "string" ? Math.ceil(input.length / 3) : input.length;
  }
  return toNanos((tokens * price.input) / 1e6);
}
