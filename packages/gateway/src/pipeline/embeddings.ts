import type { GatewayConfig } from "../config/config.js";
import type { ModelPrice } from "../config/prices.js";
import { toNanos } from "../limits/types.js";
import type { EmbedderRegistry } from "../providers/embeddings/registry.js";
import type { Embedder, EmbeddingsResponse } from "../providers/embeddings/types.js";
import type { Usage } from "../providers/openai-types.js";
import type { Deployment } from "../routing/deployments.js";
import { type EmbeddingsRequest, embeddingsRequestSchema, inputList } from "./embeddings-request.js";
import { type Aborted, type GovernedDeps, type GovernedExchange, governed } from "./governed.js";
import { answered, callRouted, narrow, type RoutedDeps, routeOne, routingHeaders } from "./routed-call.js";
import { countTextTokens, priceUsage } from "./usage-math.js";
import { unsupported, validateBody } from "./validate-body.js";

export interface EmbeddingsDeps extends GovernedDeps, RoutedDeps {
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
    // Only deployments whose format has an embeddings API; a 400 naming the provider when none has.
    const all = routeOne(deps, ex.key, request.model ?? deps.config.defaultModel);
    const route = narrow(all, (d) => deps.embedders[d.provider.format] !== undefined);
    if (route.deployments.length === 0) embedderFor(deps, all.deployments[0] as Deployment);
    await admit(() => Math.max(...route.deployments.map((d) => worstCaseNanos(request, d.price))));
    const response = await callRouted(deps, ex, acct, [route], (d) =>
      embedderFor(deps, d).embed({
        provider: d.provider,
        upstreamModel: d.upstreamModel,
        request,
        signal: ex.signal,
        requestId: ex.requestId,
      }),
    );
    const target = answered(acct);
    routingHeaders(ex, acct);
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

function embedderFor(deps: EmbeddingsDeps, target: Deployment): Embedder {
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
