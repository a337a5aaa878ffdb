import { describe, expect, it } from "vitest";
import { williamsSquare } from "./governance.mjs";
import { median, medianInterval } from "./stats.mjs";

describe("median", () => {
  it("takes the middle value, or the mean of the two middle ones", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});

describe("medianInterval", () => {
  // A spread like the bench's rounds: ratios from 0.80 to 1.00, evenly.
  const spread = (n) => Array.from({ length: n }, (_, i) => 0.8 + (0.2 * i) / (n - 1));

  it("brackets the median, within the data's range", () => {
    const xs = spread(31);
    const [lo, hi] = medianInterval(xs);
    expect(lo).toBeLessThan(median(xs));
    expect(hi).toBeGreaterThan(median(xs));
    expect(lo).toBeGreaterThanOrEqual(0.8);
    expect(hi).toBeLessThanOrEqual(1);
  });

  it("narrows as rounds are added, about as 1/√n", () => {
    const width = (n) => {
      const [lo, hi] = medianInterval(spread(n));
      return hi - lo;
    };
    const w30 = width(30);
    const w480 = width(480);
    expect(w480).toBeLessThan(w30 / 2.5);
    expect(w480).toBeGreaterThan(w30 / 6);
  });

  it("is the same on every run for the same figures, and a point for constant ones", () => {
    const xs = spread(20).reverse();
    expect(medianInterval(xs)).toEqual(medianInterval(xs));
    expect(medianInterval([0.9, 0.9, 0.9])).toEqual([0.9, 0.9]);
  });
});

describe("williamsSquare", () => {
  // Every target must follow every other equally often over the rounds' orders.
  for (const n of [2, 3, 4, 5]) {
    it(`orders ${n} targets so that each follows each other equally often`, () => {
      const orders = williamsSquare(n);
      for (const order of orders) expect([...order].sort()).toEqual([...Array(n).keys()]);
      const follows = new Map();
      for (const order of orders) {
        for (let i = 1; i < n; i++) {
          const pair = `${order[i - 1]}>${order[i]}`;
          follows.set(pair, (follows.get(pair) ?? 0) + 1);
        }
      }
      expect(follows.size).toBe(n * (n - 1));
      expect(new Set(follows.values()).size).toBe(1);
    });
  }
});
