import type { Logger } from "pino";
import { answerShape, cacheKey, cacheScope } from "../cache/cache-key.js";
import type { CachedAnswer, ResponseCache } from "../cache/types.js";
import type { SseChannel } from "../http/sse.js";
import { logThrottle } from "../logging.js";
import type { ChatCompletion } from "../providers/openai-types.js";
import type { ApiKeyRecord } from "../store/types.js";
import type { ChatRequest } from "./chat-request.js";

/** What the pipeline needs of the cache; `cache` is undefined when MESHAPI_CACHE=off. */
export interface CacheDeps {
  cache?: ResponseCache | undefined;
  log: Logger;
}

/** The response header that says what the cache did: `hit`, `miss` or `bypass`. */
export const CACHE_HEADER = "x-meshapi-cache";

const failureLogDue = logThrottle();

/**
 * The TTL this request is cached for, in ms: the request's `cache.ttl` wins over the key's setting;
 * 0 means the request opted out. Undefined when neither asks for caching.
 */
function ttlMsOf(key: ApiKeyRecord, request: ChatRequest): number | undefined {
  const asked = request.cache?.ttl ?? key.cache?.ttlSeconds ?? undefined;
  return asked === undefined || asked === null ? undefined : asked * 1000;
}

/**
 * One request's use of the cache: the answer found (a hit), or, on a miss, what the live answer is
 * recorded through and stored from once it completed.
 */
export class CacheVisit {
  private recorded: string[] | undefined;
  private complete = false;

  constructor(
    private readonly deps: CacheDeps & { cache: ResponseCache },
    private readonly key: string,
    private readonly ttlMs: number,
    readonly answer: CachedAnswer | undefined,
  ) {}

  /** The SSE channel of a live answer, recording every event it sends; a failed stream is never kept. */
  record(open: () => SseChannel): () => SseChannel {
    return () => {
      const sse = open();
      const events: string[] = [];
      // Characters, a lower bound of the bytes: past the entry bound the answer cannot be stored anyway.
      let size = 0;
      this.recorded = events;
      return {
        open: () => sse.open(),
        send: (json) => {
          if (this.recorded) {
            size += json.length;
            if (size > this.deps.cache.maxEntryBytes) this.recorded = undefined;
            else events.push(json);
          }
          sse.send(json);
        },
        drained: () => sse.drained(),
        fail: (envelope) => {
          this.recorded = undefined;
          sse.fail(envelope);
        },
        done: () => {
          this.complete = this.recorded !== undefined;
          sse.done();
        },
      };
    };
  }

  /**
   * Stores the live answer if it completed: a JSON body, or a stream that reached `[DONE]` without an
   * error and was not cancelled. The cache builds the stored copy after the response went out.
   */
  keep(body: ChatCompletion | undefined, cancelled: boolean): void {
    if (cancelled || (!body && !this.complete)) return;
    const events = this.recorded ?? [];
    const answer = body ? () => fromCompletion(body) : () => fromEvents(events);
    this.deps.cache.set(this.key, answer, this.ttlMs).catch((err: unknown) => {
      if (failureLogDue())
        this.deps.log.warn({ err: (err as Error).message }, "response cache: storing an answer failed");
    });
  }
}

/**
 * Decides whether the request uses the cache and looks it up, setting `x-meshapi-cache`: `hit` or
 * `miss` when it does, `bypass` when the request opted out with `cache: {ttl: 0}`, no header when
 * neither the key nor the request asks for caching. A failing backend counts as a miss.
 */
export function visitCache(
  deps: CacheDeps,
  key: ApiKeyRecord,
  request: ChatRequest,
  targets: readonly { publicModel: string }[],
  setHeader: (name: string, value: string) => void,
): CacheVisit | undefined | Promise<CacheVisit> {
  const { cache } = deps;
  const ttlMs = cache ? ttlMsOf(key, request) : undefined;
  // Synchronous when the cache is not in play (most requests): the hot path awaits nothing for it.
  if (!cache || ttlMs === undefined) return undefined;
  if (ttlMs === 0) {
    setHeader(CACHE_HEADER, "bypass");
    return undefined;
  }
  const entry = cacheKey(
    cacheScope(key.id, key.cache?.namespace),
    targets.map((t) => t.publicModel),
    request,
  );
  return lookup({ ...deps, cache }, entry, ttlMs, request, setHeader);
}

async function lookup(
  deps: CacheDeps & { cache: ResponseCache },
  entry: string,
  ttlMs: number,
  request: ChatRequest,
  setHeader: (name: string, value: string) => void,
): Promise<CacheVisit> {
  const { cache } = deps;
  let answer: CachedAnswer | undefined;
  try {
    answer = await cache.get(entry);
    // A stored answer of another shape cannot be (the shape is part of the key); this guards corruption.
    if (answer && (answer.kind === "json") !== (answerShape(request) === "json")) answer = undefined;
  } catch (err) {
    if (failureLogDue())
      deps.log.warn({ err: (err as Error).message }, "response cache: lookup failed; answering live");
  }
  setHeader(CACHE_HEADER, answer ? "hit" : "miss");
  return new CacheVisit(deps, entry, ttlMs, answer);
}

/** Replays a stored stream event by event, as the live one was sent, then `[DONE]`. */
export async function replayStream(
  answer: Extract<CachedAnswer, { kind: "stream" }>,
  sse: SseChannel,
  onFirstChunk: () => void,
): Promise<void> {
  sse.open();
  let first = true;
  for (const event of answer.events) {
    sse.send(event);
    if (first) {
      first = false;
      onFirstChunk();
    }
    const waiting = sse.drained();
    if (waiting) await waiting;
  }
  sse.done();
}

/** The provider of a `provider/model` name. */
function providerOf(model: string): string | null {
  const slash = model.indexOf("/");
  return slash > 0 ? model.slice(0, slash) : null;
}

/** A cached answer costs nothing: the stored copy says `cost: 0` wherever the live one had a cost. */
function withoutCost<T extends { usage?: unknown }>(value: T): T {
  const usage = value.usage as Record<string, unknown> | null | undefined;
  if (!usage || typeof usage.cost !== "number") return value;
  return { ...value, usage: { ...usage, cost: 0 } };
}

function fromCompletion(body: ChatCompletion): CachedAnswer {
  return {
    kind: "json",
    model: body.model,
    provider: providerOf(body.model),
    body: JSON.stringify(withoutCost(body)),
  };
}

/** Usage and cost ride on the last event (the usage tail, or the held-back finishing chunk). */
function fromEvents(events: string[]): CachedAnswer | undefined {
  const last = events.at(-1);
  if (last === undefined) return undefined;
  const tail = JSON.parse(last) as { usage?: unknown; model?: string };
  const model = tail.model ?? "";
  return {
    kind: "stream",
    model,
    provider: providerOf(model),
    events: [...events.slice(0, -1), JSON.stringify(withoutCost(tail))],
  };
}
