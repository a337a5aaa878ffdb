import { useMemo, useState } from "preact/hooks";
import type { AdminClient } from "../api/client.js";
import type { SeriesGroupBy } from "../api/types.js";
import { pivot } from "../charts/pivot.js";
import { TimeChart } from "../components/TimeChart.js";
import { count, usd } from "../format.js";
import { usePoll } from "./use-poll.js";

const RANGES = ["1h", "24h", "7d", "30d"] as const;
const GROUPS: Array<[SeriesGroupBy, string]> = [
  ["key", "key"],
  ["model", "model"],
  ["session_id", "session"],
];

interface Props {
  api: AdminClient;
  /** Key id → key name, for legends. */
  keyNames: Map<string, string>;
}

/** Requests and spend over time, one line per key, model or session. */
export function Usage({ api, keyNames }: Props) {
  const [range, setRange] = useState<(typeof RANGES)[number]>("24h");
  const [groupBy, setGroupBy] = useState<SeriesGroupBy>("key");
  const { data, error } = usePoll(() => api.usageSeries({ since: range, groupBy }), 10_000, [range, groupBy]);

  const charts = useMemo(() => {
    if (!data) return null;
    const frame = { since: data.since, until: data.until, bucketSeconds: data.bucket_seconds };
    const name = (g: string) => (groupBy === "key" ? (keyNames.get(g) ?? g) : g);
    return {
      requests: pivot(data.data, frame, "requests", data.group_by, name),
      cost: pivot(data.data, frame, "cost_usd", data.group_by, name),
    };
  }, [data, groupBy, keyNames]);

  const totals = useMemo(() => {
    const byGroup = new Map<string, { requests: number; errors: number; tokens: number; cost: number }>();
    for (const p of data?.data ?? []) {
      const raw = groupBy === "key" ? p.key_id : groupBy === "model" ? p.model : p.session_id;
      const g = raw ?? "(none)";
      const t = byGroup.get(g) ?? { requests: 0, errors: 0, tokens: 0, cost: 0 };
      t.requests += p.requests;
      t.errors += p.errors;
      t.tokens += p.total_tokens;
      t.cost += p.cost_usd;
      byGroup.set(g, t);
    }
    return [...byGroup].sort((a, b) => b[1].requests - a[1].requests);
  }, [data, groupBy]);

  return (
    <section aria-label="Usage">
      <div class="toolbar">
        <label>
          Range
          <select value={range} onChange={(e) => setRange(e.currentTarget.value as typeof range)}>
            {RANGES.map((r) => (
              <option key={r} value={r}>
                last {r}
              </option>
            ))}
          </select>
        </label>
        <label>
          By
          <select value={groupBy} onChange={(e) => setGroupBy(e.currentTarget.value as SeriesGroupBy)}>
            {GROUPS.map(([value, text]) => (
              <option key={value} value={value}>
                {text}
              </option>
            ))}
          </select>
        </label>
        {data && <span class="muted">buckets of {data.bucket_seconds / 60} min</span>}
      </div>
      {error && <p class="error">{error.message}</p>}
      {charts && (
        <div class="charts">
          <TimeChart title="Requests" data={charts.requests} format={count} />
          <TimeChart title="Spend (USD)" data={charts.cost} format={usd} />
        </div>
      )}
      <table data-testid="usage-totals">
        <thead>
          <tr>
            <th>{GROUPS.find(([g]) => g === groupBy)?.[1]}</th>
            <th class="num">requests</th>
            <th class="num">errors</th>
            <th class="num">tokens</th>
            <th class="num">spend</th>
          </tr>
        </thead>
        <tbody>
          {totals.map(([group, t]) => (
            <tr key={group}>
              <td>{groupBy === "key" ? (keyNames.get(group) ?? group) : group}</td>
              <td class="num">{count(t.requests)}</td>
              <td class="num">{count(t.errors)}</td>
              <td class="num">{count(t.tokens)}</td>
              <td class="num">{usd(t.cost)}</td>
            </tr>
          ))}
          {totals.length === 0 && (
            <tr>
              <td colSpan={5} class="muted">
                No usage in this range.
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </section>
  );
}
