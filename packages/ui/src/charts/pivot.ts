import type { SeriesGroupBy, SeriesPoint } from "../api/types.js";

/** Column-wise chart data: x in Unix seconds, one y array per line, 0 where a bucket had no usage. */
export interface ChartData {
  x: number[];
  lines: Array<{ label: string; values: number[] }>;
}

export type Metric = "requests" | "cost_usd" | "total_tokens" | "errors";

const GROUP_FIELD = { model: "model", session_id: "session_id", key: "key_id" } as const;

/**
 * Turns the admin API's sparse points (only non-empty buckets, one per bucket and group) into dense
 * columns over every bucket from `since` to `until`, so lines drop to zero instead of bridging gaps.
 * `label` names a group (e.g. a key id → the key's name); a missing group is "(none)".
 */
export function pivot(
  points: readonly SeriesPoint[],
  range: { since: string; until: string; bucketSeconds: number },
  metric: Metric,
  groupBy: SeriesGroupBy | null,
  label: (group: string) => string = (g) => g,
): ChartData {
  const step = range.bucketSeconds;
  const first = Math.floor(Date.parse(range.since) / 1000 / step) * step;
  const last = Math.floor((Date.parse(range.until) - 1) / 1000 / step) * step;
  const x: number[] = [];
  for (let t = first; t <= last; t += step) x.push(t);
  const index = new Map(x.map((t, i) => [t, i]));
  const lines = new Map<string, number[]>();
  for (const p of points) {
    const raw = groupBy ? p[GROUP_FIELD[groupBy]] : "all";
    const group = raw === null || raw === undefined ? "(none)" : raw;
    let values = lines.get(group);
    if (!values) {
      values = new Array<number>(x.length).fill(0);
      lines.set(group, values);
    }
    const i = index.get(Date.parse(p.start) / 1000);
    if (i !== undefined) values[i] = (values[i] ?? 0) + p[metric];
  }
  return {
    x,
    lines: [...lines].map(([group, values]) => ({ label: groupBy ? label(group) : "all", values })),
  };
}
