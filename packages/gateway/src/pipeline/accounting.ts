import type { Logger } from "pino";
import type { Ticket } from "../limits/types.js";
import { toNanos } from "../limits/types.js";
import type { ApiKeyRecord, UsageEvent } from "../store/types.js";
import type { Governance } from "./admit.js";
import type { RouteTarget } from "./resolve-route.js";
import { EMPTY_USAGE, type UsageSummary } from "./usage-math.js";

/** What a usage event needs to know about the request, whichever inbound format it came in. */
export interface RequestFacts {
  model?: string | undefined;
  session_id?: string | undefined;
  user?: string | undefined;
  stream?: boolean | null | undefined;
}

/** The parts of an exchange that accounting reads. */
export interface AccountedExchange {
  requestId: string;
  key: ApiKeyRecord;
  /** `performance.now()` when the request arrived. */
  startedAt: number;
}

/** Collects what the usage event of one request will say; every inbound route fills one. */
export class Accounting {
  private request: RequestFacts | undefined;
  private target: RouteTarget | undefined;
  private usage: UsageSummary = EMPTY_USAGE;
  private status = 200;
  private errorCode: string | null = null;
  private ttftMs: number | null = null;

  constructor(private readonly ex: AccountedExchange) {}

  describe(request: RequestFacts): void {
    this.request = request;
  }

  route(target: RouteTarget): void {
    this.target = target;
  }

  firstToken(): void {
    this.ttftMs = performance.now() - this.ex.startedAt;
  }

  succeed(usage: UsageSummary): void {
    this.usage = usage;
    this.status = 200;
  }

  end(status: number, errorCode: string): void {
    this.status = status;
    this.errorCode = errorCode;
  }

  event(): UsageEvent {
    const r = this.request;
    return {
      requestId: this.ex.requestId,
      keyId: this.ex.key.id,
      provider: this.target?.provider.name ?? null,
      model: this.target?.publicModel ?? r?.model ?? null,
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
