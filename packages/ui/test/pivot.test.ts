import { describe, expect, it } from "vitest";
import type { SeriesPoint } from "../src/api/types.js";
import { pivot } from "../src/charts/pivot.js";

const point = (start: string, extra: Partial<SeriesPoint>): SeriesPoint => ({
  start,
  requests: 0,
  errors: 0,
  prompt_tokens: 0,
  completion_tokens: 0,
  total_tokens: 0,
  cost_usd: 0,
  ...extra,
});

describe("pivot", () => {
  const range = { since: "2026-11-01T10:20:00Z", until: "2026-11-01T14:00:00Z", bucketSeconds: 3600 };
  const t = (iso: string) => Date.parse(iso) / 1000;

  it("fills every bucket of the range and zeroes the ones without usage", () => {
    const data = pivot(
      [
        point("2026-11-01T10:00:00.000Z", { key_id: "k1", requests: 2 }),
        point("2026-11-01T12:00:00.000Z", { key_id: "k1", requests: 1 }),
        point("2026-11-01T12:00:00.000Z", { key_id: "k2", requests: 5 }),
      ],
      range,
      "requests",
      "key",
      (id) => (id === "k1" ? "first key" : id),
    );
    // 10:00 up to the bucket holding 13:59:59.999.
    expect(data.x).toEqual([
      t("2026-11-01T10:00:00Z"),
      t("2026-11-01T11:00:00Z"),
      t("2026-11-01T12:00:00Z"),
      t("2026-11-01T13:00:00Z"),
    ]);
    expect(data.lines).toEqual([
      { label: "first key", values: [2, 0, 1, 0] },
      { label: "k2", values: [0, 0, 5, 0] },
    ]);
  });

  it("sums into one line without grouping and names a missing group", () => {
    const points = [
      point("2026-11-01T11:00:00.000Z", { cost_usd: 0.25 }),
      point("2026-11-01T11:00:00.000Z", { cost_usd: 0.5 }),
    ];
    expect(pivot(points, range, "cost_usd", null).lines).toEqual([{ label: "all", values: [0, 0.75, 0, 0] }]);
    const bySession = pivot(
      [point("2026-11-01T13:00:00.000Z", { session_id: null, requests: 1 })],
      range,
      "requests",
      "session_id",
    );
    expect(bySession.lines[0]?.label).toBe("(none)");
  });
});
