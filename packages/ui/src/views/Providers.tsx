import type { AdminClient } from "../api/client.js";
import { count, time } from "../format.js";
import { usePoll } from "./use-poll.js";

/** Each configured provider's recent outcomes: ok, degraded, down or idle. */
export function Providers({ api }: { api: AdminClient }) {
  const { data, error } = usePoll(() => api.providers("15m"), 10_000, []);
  return (
    <section aria-label="Provider health">
      <p class="muted">From the requests recorded in the last 15 minutes, across every gateway instance.</p>
      {error && <p class="error">{error.message}</p>}
      <table data-testid="providers">
        <thead>
          <tr>
            <th>provider</th>
            <th>status</th>
            <th class="num">requests</th>
            <th class="num">failures</th>
            <th class="num">avg latency</th>
            <th>last success</th>
            <th>last failure</th>
          </tr>
        </thead>
        <tbody>
          {data?.data.map((p) => (
            <tr key={p.provider}>
              <td>{p.provider}</td>
              <td>
                <span class={`badge ${p.status}`}>{p.status}</span>
              </td>
              <td class="num">{count(p.requests)}</td>
              <td class="num">
                {count(p.failures)} ({Math.round(p.failure_rate * 100)} %)
              </td>
              <td class="num">{p.avg_latency_ms === null ? "–" : `${count(p.avg_latency_ms)} ms`}</td>
              <td>{time(p.last_success_at)}</td>
              <td>{time(p.last_failure_at)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
