import type { Logger } from "pino";
import type { Ticket } from "../limits/types.js";
import { toNanos } from "../limits/types.js";
import { AttemptLog } from "../routing/router.js";
import type { ApiKeyRecord, UsageEvent } from "../store/types.js";
import type { Governance } from "./admit.js";
import { EMPTY_USAGE, type UsageSummary } from "./usage-math.js";

/** What a usage event needs to know about the request, whichever inbound format it came in. */
export interface RequestFacts {
  model?: string | undefined;
  session_id?: string | undefined;
  user?: string | undefined;
  stream?: boolean | null | undefined;
}

/** What the accounting needs of the exchange it describes. */
export interface AccountedExchange {
  requestId: string;
  key: ApiKeyRecord;
  /** `performance.now()` when the request arrived. */
  startedAt: number;
}

/** Collects what the usage event of one request will say, as the pipeline learns it; every inbound route fills one. */
export class Accounting {
  /** The request's upstream attempts, filled in by the router as they happen. */
  readonly attempts = new AttemptLog();
  private request: RequestFacts | undefined;
  private usage: UsageSummary = EMPTY_USAGE;
  private status = 200;
  private errorCode: string | null = null;
  private ttftMs: number | null = null;
  /** Set when the cache answered: what it says served the stored answer. */
  private served: { model: string; provider: string | null } | undefined;

  constructor(private readonly ex: AccountedExchange) {}

  describe(request: RequestFacts): void {
    this.request = request;
  }

  firstToken(): void {
    this.ttftMs = performance.now() - this.ex.startedAt;
  }

  succeed(usage: UsageSummary): void {
    this.usage = usage;
    this.status = 200;
  }

  /** The cache answered: no upstream call, no tokens billed, cost 0. */
  cacheHit(model: string, provider: string | null): void {
    this.served = { model, provider };
    this.usage = { ...EMPTY_USAGE, costUsd: 0 };
  }

  end(status: number, errorCode: string): void {
    this.status = status;
    this.errorCode = errorCode;
  }

  /** Gateway time so far: the whole request minus upstream attempts and backoff waits. */
  overheadMs(): number {
    const a = this.attempts;
    return Math.max(0, performance.now() - this.ex.startedAt - a.upstreamMs - a.waitedMs);
  }

  event(): UsageEvent {
    const r = this.request;
    const a = this.attempts;
    const d = a.deployment;
    return {
      requestId: this.ex.requestId,
      keyId: this.ex.key.id,
      provider: d?.provider.name ?? this.served?.provider ?? null,
      model: d?.publicModel ?? this.served?.model ?? r?.model ?? null,
      sessionId: r?.session_id ?? null,
      user: r?.user ?? null,
      stream: r?.stream === true,
      promptTokens: this.usage.promptTokens,
      completionTokens: this.usage.completionTokens,
      cachedTokens: this.usage.cachedTokens,
      reasoningTokens: this.usage.reasoningTokens,
      costUsd: this.usage.costUsd,
      estimated: this.usage.estimated,
      latencyMs: performance.now() - this.ex.startedAt,
      ttftMs: this.ttftMs,
      status: this.status,
      errorCode: this.errorCode,
      createdAt: Date.now(),
      deployment: d?.id ?? null,
      attempts: a.records.length,
      attemptLog: a.records.length > 1 ? JSON.stringify(a.records) : null,
      cacheHit: this.served !== undefined,
    };
  }
}

/** Releases the request's slot, books its tokens and turns its reservation into its actual cost. */
export function settle(
  deps: { governance: Governance; log: Logger },
  ticket: Ticket,
  event: UsageEvent,
): void {
  try {
    deps.governance.limiter.settle(ticket, {
      costNanos: toNanos(event.costUsd ?? 0),
      tokens: event.promptTokens + event.completionTokens,
    });
  } catch (err) {
    deps.log.error({ err: (err as Error).message, requestId: ticket.requestId }, "settling limits failed");
  }
}
