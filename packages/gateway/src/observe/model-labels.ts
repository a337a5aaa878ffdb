/** The `provider` and `model` labels of one routed model, built once and reused by every request. */
export interface ModelLabel {
  readonly provider: string;
  readonly model: string;
}

/** Requests that failed before a provider was chosen (bad body, unknown model, limits). */
export const UNROUTED: ModelLabel = { provider: "none", model: "none" };

/**
 * Bounds the `model` label. Model names come from clients (`openai/<anything>` routes to OpenAI), so
 * past `max` distinct names a provider's further models are all labelled "other": a client cannot
 * grow the metrics without bound. Names are only ever added, so a series never changes its label.
 */
export class ModelLabels {
  private readonly byProvider = new Map<string, Map<string, ModelLabel>>();
  private readonly others = new Map<string, ModelLabel>();
  private size = 0;

  constructor(private readonly max: number) {}

  of(provider: string | null, model: string | null): ModelLabel {
    if (provider === null || model === null) return UNROUTED;
    let models = this.byProvider.get(provider);
    if (!models) {
      models = new Map();
      this.byProvider.set(provider, models);
    }
    const known = models.get(model);
    if (known) return known;
    // Past the cap nothing more is remembered either, so memory stays bounded too.
    if (this.size >= this.max) return this.other(provider);
    const label = { provider, model };
    models.set(model, label);
    this.size++;
    return label;
  }

  private other(provider: string): ModelLabel {
    let label = this.others.get(provider);
    if (!label) {
      label = { provider, model: "other" };
      this.others.set(provider, label);
    }
    return label;
  }
}
