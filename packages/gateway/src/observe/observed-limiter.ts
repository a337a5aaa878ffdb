import type { AdmitInput, AdmitResult, Limiter, LimitName } from "../limits/types.js";
import type { CounterSeries, FastCounter } from "./fast-series.js";

/**
 * A limiter that counts its admission decisions: admitted, refused by a limit, or error (unreachable,
 * the pipeline then applies its Redis-down policy). Everything else passes straight through, and an
 * in-process limiter stays synchronous.
 */
export function countDecisions(limiter: Limiter, decisions: FastCounter): Limiter {
  // Every request passes here: each decision's series is resolved once, and counting is an addition.
  const admitted = decisions.series({ decision: "admitted", limit: "none" });
  const errors = decisions.series({ decision: "error", limit: "none" });
  const refused = new Map<LimitName, CounterSeries>();
  const refusedBy = (limit: LimitName): CounterSeries => {
    let series = refused.get(limit);
    if (series === undefined) {
      series = decisions.series({ decision: "refused", limit });
      refused.set(limit, series);
    }
    return series;
  };
  const count = (result: AdmitResult): AdmitResult => {
    if (result.ok) admitted.value++;
    else refusedBy(result.limit).value++;
    return result;
  };
  const failed = (err: unknown): never => {
    errors.value++;
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
