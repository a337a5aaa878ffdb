import type { CounterSeries, HistogramSeries } from "./fast-series.js";
import type { GatewayMetrics } from "./metric-definitions.js";
import type { ModelLabel } from "./model-labels.js";

/**
 * The series of one model, each resolved on its first update and reused by every request after: an
 * update on the hot path is a field added to, with no label set built, validated or hashed. A series
 * appears in the scrape only once it has been updated, as with prom-client's own metrics.
 */
export class SeriesLabels {
  private readonly counters = new Map<string, CounterSeries>();
  private readonly histograms = new Map<string, HistogramSeries>();

  constructor(
    private readonly m: GatewayMetrics,
    private readonly label: ModelLabel,
  ) {}

  /** `provider`, `model`, `stream`, `status`; statuses are a few dozen values at most. */
  requests(status: number, stream: boolean): CounterSeries {
    return this.counter(`r${status}${stream ? "s" : ""}`, () =>
      this.m.chatRequests.series({ ...this.label, stream: String(stream), status: String(status) }),
    );
  }

  requestDuration(stream: boolean): HistogramSeries {
    return this.histogram(stream ? "ds" : "d", () =>
      this.m.requestDuration.series({ ...this.label, stream: String(stream) }),
    );
  }

  timeToFirstToken(): HistogramSeries {
    return this.histogram("t", () => this.m.timeToFirstToken.series({ ...this.label }));
  }

  gatewayOverhead(): HistogramSeries {
    return this.histogram("o", () => this.m.gatewayOverhead.series({ ...this.label }));
  }

  /** `provider`, `model`, `outcome` (ok, error, aborted). */
  attempt(outcome: string): HistogramSeries {
    return this.histogram(`a${outcome}`, () => this.m.upstreamDuration.series({ ...this.label, outcome }));
  }

  tokens(direction: "input" | "output"): CounterSeries {
    return this.counter(direction, () => this.m.tokens.series({ ...this.label, direction }));
  }

  cost(): CounterSeries {
    return this.counter("c", () => this.m.cost.series({ ...this.label }));
  }

  private counter(key: string, resolve: () => CounterSeries): CounterSeries {
    let series = this.counters.get(key);
    if (series === undefined) {
      series = resolve();
      this.counters.set(key, series);
    }
    return series;
  }

  private histogram(key: string, resolve: () => HistogramSeries): HistogramSeries {
    let series = this.histograms.get(key);
    if (series === undefined) {
      series = resolve();
      this.histograms.set(key, series);
    }
    return series;
  }
}

/** One SeriesLabels per model label (model labels are themselves cached and bounded). */
export class SeriesLabelCache {
  private readonly cache = new WeakMap<ModelLabel, SeriesLabels>();

  constructor(private readonly m: GatewayMetrics) {}

  of(label: ModelLabel): SeriesLabels {
    let series = this.cache.get(label);
    if (!series) {
      series = new SeriesLabels(this.m, label);
      this.cache.set(label, series);
    }
    return series;
  }
}
