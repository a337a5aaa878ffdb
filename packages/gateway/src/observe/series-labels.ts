import type { ModelLabel } from "./model-labels.js";

type Labels = Readonly<Record<string, string>>;

/**
 * The label objects of one model's series, built on first use and reused by every request after, so
 * the hot path hands prom-client ready-made objects instead of allocating a literal per update.
 */
export class SeriesLabels {
  readonly model: Labels;
  readonly byStream: readonly [Labels, Labels];
  readonly input: Labels;
  readonly output: Labels;
  private readonly attempts = new Map<string, Labels>();
  private readonly statuses = new Map<number, [Labels, Labels]>();

  constructor(label: ModelLabel) {
    const { provider, model } = label;
    this.model = { provider, model };
    this.byStream = [
      { provider, model, stream: "false" },
      { provider, model, stream: "true" },
    ];
    this.input = { provider, model, direction: "input" };
    this.output = { provider, model, direction: "output" };
  }

  /** `provider`, `model`, `stream`, `status`; statuses are a few dozen values at most. */
  status(status: number, stream: boolean): Labels {
    let pair = this.statuses.get(status);
    if (!pair) {
      const s = String(status);
      pair = [
        { ...this.byStream[0], status: s },
        { ...this.byStream[1], status: s },
      ];
      this.statuses.set(status, pair);
    }
    return pair[stream ? 1 : 0];
  }

  /** `provider`, `model`, `outcome` (ok, error, aborted). */
  attempt(outcome: string): Labels {
    let labels = this.attempts.get(outcome);
    if (!labels) {
      labels = { ...this.model, outcome };
      this.attempts.set(outcome, labels);
    }
    return labels;
  }
}

/** One SeriesLabels per model label (model labels are themselves cached and bounded). */
export class SeriesLabelCache {
  private readonly cache = new WeakMap<ModelLabel, SeriesLabels>();

  of(label: ModelLabel): SeriesLabels {
    let series = this.cache.get(label);
    if (!series) {
      series = new SeriesLabels(label);
      this.cache.set(label, series);
    }
    return series;
  }
}
