import type { Logger } from "pino";
import { GatewayError } from "../errors/catalog.js";
import type { Ticket } from "../limits/types.js";
import type { Cancellation } from "../providers/cancellation.js";
import { isAbort } from "../providers/upstream-http.js";
import type { UsageWriter } from "../usage/usage-writer.js";
import { type AccountedExchange, Accounting, settle } from "./accounting.js";
import { admitReserving, type Governance } from "./admit.js";

/** What every governed inbound route needs besides its own provider calls. */
export interface GovernedDeps {
  governance: Governance;
  usage: UsageWriter;
  log: Logger;
}

/** One request as the HTTP layer hands it over, already authenticated. */
export interface GovernedExchange extends AccountedExchange {
  body: unknown;
  /** Aborted when the client disconnects; cancels the upstream call. */
  signal: Cancellation;
  /** Sets a response header (`x-ratelimit-*`, `x-meshapi-*`). */
  setHeader?: (name: string, value: string) => void;
  /** Retries asked for with `x-meshapi-retries`; the configured number when undefined. */
  retries?: number | undefined;
}

/** The request's books: its usage event in the making, and its admission against the key's limits. */
export interface Ledger {
  readonly acct: Accounting;
  /**
   * Books the request against the key's rate limits and spend cap (throws 429 / 402 / 503). Call it
   * once, after validation and route resolution and before anything goes upstream; `reserve` gives
   * the worst-case cost in nanodollars and is only asked when the key has a spend cap.
   */
  admit(reserve: () => number): Promise<void>;
}

export type Aborted = { kind: "aborted" };

/**
 * Runs one request of any inbound format under the same governance as chat completions: whatever
 * `work` does, the request ends with exactly one usage event and, once admitted, a settled ticket.
 * A client that went away ends as `{kind: "aborted"}` (status 499); other failures are rethrown.
 */
export async function governed<T>(
  deps: GovernedDeps,
  ex: GovernedExchange,
  work: (ledger: Ledger) => Promise<T>,
): Promise<T | Aborted> {
  const acct = new Accounting(ex);
  let ticket: Ticket | undefined;
  let admitted = false;
  const ledger: Ledger = {
    acct,
    async admit(reserve) {
      if (admitted) throw new Error("admit called twice for one request");
      admitted = true;
      ticket = await admitReserving(
        deps.governance,
        { key: ex.key, requestId: ex.requestId, setHeader: ex.setHeader ?? (() => {}) },
        reserve,
      );
    },
  };
  try {
    return await work(ledger);
  } catch (err) {
    if (ex.signal.aborted || isAbort(err)) {
      acct.end(499, "client_closed");
      return { kind: "aborted" };
    }
    acct.end(
      err instanceof GatewayError ? err.status : 500,
      err instanceof GatewayError ? err.code : "internal_error",
    );
    throw err;
  } finally {
    const event = acct.event();
    deps.usage.record(event);
    if (ticket) settle(deps, ticket, event);
  }
}
