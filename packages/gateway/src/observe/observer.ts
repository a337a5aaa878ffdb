import type { ChatExchange } from "../pipeline/chat.js";
import type { RouteTarget } from "../pipeline/resolve-route.js";
import type { UsageEvent } from "../store/types.js";

/**
 * The named points where observability (metrics, traces) hooks the chat pipeline. The pipeline calls
 * these and nothing else: no metric or span code lives in the pipeline steps or the adapters.
 * Implementations must be cheap and must never throw into the request.
 */
export interface ChatObserver {
  /** An authenticated chat request entered the pipeline. */
  requestStarted(ex: ChatExchange): void;
  /** Wraps one call to an upstream (one per fallback attempt); resolves or rejects as `call` does. */
  attempt<T>(ex: ChatExchange, target: RouteTarget, call: () => Promise<T>): Promise<T>;
  /** The SSE response was opened: the request is now an open stream until it ends. */
  streamOpened(ex: ChatExchange): void;
  /** The request is over; `event` is its usage event (tokens, cost, latency, status). */
  requestEnded(ex: ChatExchange, event: UsageEvent): void;
}

/** Observes nothing: for a gateway with metrics and tracing both off. */
export const NO_OBSERVER: ChatObserver = {
  requestStarted() {},
  attempt: (_ex, _target, call) => call(),
  streamOpened() {},
  requestEnded() {},
};

/** Runs every observer at each point; attempts nest, so each sees the call's own outcome and time. */
export function combineObservers(observers: readonly ChatObserver[]): ChatObserver {
  if (observers.length === 0) return NO_OBSERVER;
  if (observers.length === 1) return observers[0] as ChatObserver;
  return {
    requestStarted(ex) {
      for (const o of observers) o.requestStarted(ex);
    },
    attempt(ex, target, call) {
      let wrapped = call;
      for (const o of observers) {
        const inner = wrapped;
        wrapped = () => o.attempt(ex, target, inner);
      }
      return wrapped();
    },
    streamOpened(ex) {
      for (const o of observers) o.streamOpened(ex);
    },
    requestEnded(ex, event) {
      for (const o of observers) o.requestEnded(ex, event);
    },
  };
}
