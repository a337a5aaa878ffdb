import type { ChatExchange } from "../pipeline/chat.js";
import type { GatewayMetrics } from "./metric-definitions.js";
import type { ModelLabels } from "./model-labels.js";
import type { ChatObserver } from "./observer.js";
import { SeriesLabelCache } from "./series-labels.js";

/** What the metrics need to remember of one request between its hooks. */
interface RequestState {
  /** Milliseconds spent waiting on upstream attempts, summed over retries and fallbacks. */
  upstreamMs: number;
  attempts: number;
  streaming: boolean;
}

/** Turns the pipeline's named points into Prometheus series. */
export class ChatMetrics implements ChatObserver {
  private readonly requests = new WeakMap<ChatExchange, RequestState>();
  private readonly series: SeriesLabelCache;

  constructor(
    private readonly m: GatewayMetrics,
    private readonly labels: ModelLabels,
  ) {
    this.series = new SeriesLabelCache(m);
  }

  requestStarted(ex: ChatExchange): void {
    this.requests.set(ex, { upstreamMs: 0, attempts: 0, streaming: false });
    this.m.chatInFlight.inc();
  }

  async attempt<T>(ex: ChatExchange, target: Parameters<ChatObserver["attempt"]>[1], call: () => Promise<T>) {
    const started = performance.now();
    let outcome = "error";
    try {
      const value = await call();
      outcome = "ok";
      return value;
    } catch (err) {
      if (ex.signal.aborted) outcome = "aborted";
      throw err;
    } finally {
      const ms = performance.now() - started;
      const state = this.requests.get(ex);
      if (state) {
        state.upstreamMs += ms;
        state.attempts++;
      }
      const series = this.series.of(this.labels.of(target.provider.name, target.publicModel));
      series.attempt(outcome).observe(ms / 1000);
    }
  }

  streamOpened(ex: ChatExchange): void {
    const state = this.requests.get(ex);
    if (!state || state.streaming) return;
    state.streaming = true;
    this.m.streamsInFlight.inc();
  }

  requestEnded(ex: ChatExchange, event: Parameters<ChatObserver["requestEnded"]>[1]): void {
    const state = this.requests.get(ex);
    this.requests.delete(ex);
    this.m.chatInFlight.dec();
    if (state?.streaming) this.m.streamsInFlight.dec();
    const series = this.series.of(this.labels.of(event.provider, event.model));
    series.requests(event.status, event.stream).value++;
    if (event.status === 499) return; // the client left: no duration worth a histogram
    series.requestDuration(event.stream).observe(event.latencyMs / 1000);
    if (event.ttftMs !== null) series.timeToFirstToken().observe(event.ttftMs / 1000);
    // Only requests answered at their first attempt: time between attempts (a retry's backoff) is
    // neither upstream nor gateway work, and the pipeline does not tell it apart.
    if (!event.stream && state?.attempts === 1 && event.status < 500) {
      const overheadMs = Math.max(0, event.latencyMs - state.upstreamMs);
      series.gatewayOverhead().observe(overheadMs / 1000);
    }
    if (event.promptTokens > 0) series.tokens("input").value += event.promptTokens;
    if (event.completionTokens > 0) series.tokens("output").value += event.completionTokens;
    if (event.costUsd !== null && event.costUsd > 0) series.cost().value += event.costUsd;
  }
}
