/**
 * Watches every HTTP request, whichever server front took it: Fastify calls it from its hooks, the
 * chat lane (http/chat-lane.ts) directly. `route` is the route's template, never the raw URL.
 */
export interface HttpObserver {
  started(): void;
  /** `started` is false for a request answered before the observer saw it begin. */
  ended(route: string, method: string, status: number, started?: boolean): void;
}
