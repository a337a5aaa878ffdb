import type { Counter } from "prom-client";
import type { AdmitInput, AdmitResult, Limiter } from "../limits/types.js";

/**
 * A limiter that counts its admission decisions: admitted, refused by a limit, or error (unreachable,
 * the pipeline then applies its Redis-down policy). Everything else passes straight through, and an
 * in-process limiter stays synchronous.
 */
export function countDecisions(limiter: Limiter, decisions: Counter<"decision" | "limit">): Limiter {
  const admitted = decisions.labels("admitted", "none");
  const errors = decisions.labels("error", "none");
  const count = (result: AdmitResult): AdmitResult => {
    if (result.ok) admitted.inc();
    else decisions.inc({ decision: "refused", limit: result.limit });
    return result;
  };
  const failed = (err: unknown): never => {
    errors.inc();
    throw err;
  };
  return {
    kind: limiter.kind,
    admit(input: AdmitInput) {
      let result: ReturnType<Limiter["admit"]>;
      try {
        result = limiter.admit(input);
      } catch (err) {
        return failed(err);
      }
      return result instanceof Promise ? result.then(count, failed) : count(result);
    },
    settle: (ticket, settlement) => limiter.settle(ticket, settlement),
    settled: () => limiter.settled(),
    spent: (keyId, limits) => limiter.spent(keyId, limits),
    close: () => limiter.close(),
  };
}
