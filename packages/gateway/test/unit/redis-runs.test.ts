import { describe, expect, it } from "vitest";
import type { PendingAdmit, PendingSettle } from "../../src/limits/redis-pending.js";
import { admissionRuns, ride, SettleGroups } from "../../src/limits/redis-runs.js";
import type { Booking } from "../../src/limits/redis-script.js";
import type { KeyLimits } from "../../src/store/types.js";

const limits: KeyLimits = {
  rpm: 60,
  rpd: null,
  tpm: null,
  maxConcurrent: 4,
  spendCapUsd: 10,
  spendPeriod: "total",
};
const BASE = "p:rl3:{k}:";
const spendKeyOf = (l: KeyLimits) => `p:spend:{k}:${l.spendPeriod}`;

function admit(l: KeyLimits, requestId: string): PendingAdmit {
  return {
    kind: "admit",
    input: { keyId: "k", limits: l, requestId, reserveNanos: 0 },
    waits: 0,
    resolve: () => {},
    reject: () => {},
  };
}

function settle(spendKey: string, tokens: number): PendingSettle {
  const booking: Booking = { base: BASE, spendKey, slot: true, tokens: false };
  return { kind: "settle", booking, tokens, delta: 0, count: 1 };
}

describe("admissionRuns", () => {
  it("makes one run of admissions that share limits, the given array itself, booked as the limits say", () => {
    const admits = [admit(limits, "a"), admit({ ...limits }, "b"), admit(limits, "c")];
    const runs = admissionRuns(admits, BASE, spendKeyOf, new SettleGroups());
    expect(runs).toHaveLength(1);
    expect(runs[0]?.run).toBe(admits);
    expect(runs[0]?.booking).toEqual({
      base: BASE,
      spendKey: "p:spend:{k}:total",
      slot: true,
      tokens: false,
    });
    expect(runs[0]?.settles).toBeUndefined();
  });

  it("cuts a run wherever the limits change (a key edited between two requests), keeping the order", () => {
    const monthly: KeyLimits = { ...limits, spendPeriod: "month", tpm: 1000 };
    const admits = [admit(limits, "a"), admit(monthly, "b"), admit(monthly, "c"), admit(limits, "d")];
    const runs = admissionRuns(admits, BASE, spendKeyOf, new SettleGroups());
    expect(runs.map((r) => r.run.map((p) => p.input.requestId))).toEqual([["a"], ["b", "c"], ["d"]]);
    expect(runs.map((r) => r.booking.spendKey)).toEqual([
      "p:spend:{k}:total",
      "p:spend:{k}:month",
      "p:spend:{k}:total",
    ]);
    expect(runs[1]?.booking.tokens).toBe(true);
  });

  it("lets the settles of a run's spend counter ride along, once; the others stay for calls of their own", () => {
    const settles = new SettleGroups();
    const ours = [settle("p:spend:{k}:total", 5), settle("p:spend:{k}:total", 7)];
    const lastMonth = settle("p:spend:{k}:2026-10", 3);
    for (const s of [ours[0], lastMonth, ours[1]] as PendingSettle[]) settles.add(s);
    const runs = admissionRuns([admit(limits, "a"), admit(limits, "b")], BASE, spendKeyOf, settles);
    expect(runs[0]?.settles).toEqual(ours);
    expect([...settles.rest()]).toEqual([[lastMonth]]);
  });

  it("makes no run of no admissions", () => {
    expect(admissionRuns([], BASE, spendKeyOf, new SettleGroups())).toEqual([]);
  });
});

describe("ride", () => {
  it("gives a renewal (no admissions) the settles of its counter, and nothing when there are none", () => {
    const booking: Booking = { base: BASE, spendKey: "p:spend:{k}:total", slot: true, tokens: false };
    const settles = new SettleGroups();
    const s = settle("p:spend:{k}:total", 2);
    settles.add(s);
    expect(ride(limits, booking, [], settles)).toEqual({ limits, booking, run: [], settles: [s] });
    expect(ride(limits, booking, [], settles)).toEqual({ limits, booking, run: [] });
    expect([...settles.rest()]).toEqual([]);
  });
});
