import { describe, expect, it } from "vitest";
import { kindOf, leastSquaresSlope, percentile } from "./soak-traffic.mjs";

describe("soak statistics", () => {
  it("least-squares slope", () => {
    expect(
      leastSquaresSlope([
        [0, 10],
        [1, 12],
        [2, 14],
      ]),
    ).toBeCloseTo(2);
    expect(
      leastSquaresSlope([
        [0, 5],
        [1, 6],
        [2, 4],
        [3, 5],
      ]),
    ).toBeCloseTo(-0.2);
    expect(
      leastSquaresSlope([
        [1, 1],
        [1, 2],
      ]),
    ).toBeNaN();
  });

  it("percentile by nearest rank", () => {
    const xs = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(xs, 50)).toBe(51);
    expect(percentile(xs, 99)).toBe(100);
    expect(percentile([], 50)).toBeNaN();
  });

  it("the mix has every kind in 20 requests", () => {
    const kinds = new Set(Array.from({ length: 20 }, (_, i) => kindOf(i).kind));
    expect([...kinds].sort()).toEqual(
      ["cancel", "json", "stream", "stream_cut", "stream_malformed", "upstream_429", "upstream_500"].sort(),
    );
  });
});
