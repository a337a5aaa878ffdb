import type { AdminClient } from "../api/client.js";
import type { RecentRequest } from "../api/types.js";
import { count, time, usd } from "../format.js";
import { usePoll } from "./use-poll.js";

interface Props {
  api: AdminClient;
  keyNames: Map<string, string>;
}

/** The newest requests with status and latency, refreshed every few seconds. */
export function Requests({ api, keyNames }: Props) {
  const { data, error, reload } = usePoll(() => api.recentRequests(50), 5_000, []);
  return (
    <section aria-label="Recent requests">
      <div class="toolbar">
        <button type="button" onClick={reload}>
          Refresh
        </button>
      </div>
      {error && <p class="error">{error.message}</p>}
      <table data-testid="recent-requests">
        <thead>
          <tr>
            <th>time</th>
            <th>key</th>
            <th>model</th>
            <th>status</th>
            <th>served by</th>
            <th class="num">latency</th>
            <th class="num">first token</th>
            <th class="num">tokens in/out</th>
            <th class="num">cost</th>
            <th>request id</th>
          </tr>
        </thead>
        <tbody>
          {data?.data.map((r) => (
            <tr key={r.id}>
              <td>{time(r.created_at)}</td>
              <td>{keyNames.get(r.key_id) ?? r.key_id}</td>
              <td>
                {r.model ?? "–"}
                {r.stream ? " (stream)" : ""}
              </td>
              <td class={r.status >= 400 ? "bad" : "good"} title={r.error_code ?? ""}>
                {r.status}
                {r.error_code ? ` ${r.error_code}` : ""}
              </td>
              <td title={attemptsTitle(r)}>{servedBy(r)}</td>
              <td class="num">{count(r.latency_ms)} ms</td>
              <td class="num">{r.ttft_ms === null ? "–" : `${count(r.ttft_ms)} ms`}</td>
              <td class="num">
                {count(r.prompt_tokens)} / {count(r.completion_tokens)}
              </td>
              <td class="num">{usd(r.cost_usd)}</td>
              <td class="mono">{r.request_id}</td>
            </tr>
          ))}
          {data?.data.length === 0 && (
            <tr>
              <td colSpan={10} class="muted">
                No requests recorded yet.
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </section>
  );
}

/** The deployment that answered, how many attempts it took, or "cache". */
function servedBy(r: RecentRequest): string {
  if (r.cache_hit) return "cache";
  if (r.deployment === null) return "–";
  return r.attempts > 1 ? `${r.deployment} (${r.attempts} attempts)` : r.deployment;
}

/** Every attempt, one per line, as a tooltip. */
function attemptsTitle(r: RecentRequest): string {
  return (r.attempt_log ?? [])
    .map((a) => `#${a.attempt} ${a.deployment}: ${a.outcome} (${a.status}, ${a.ms} ms)`)
    .join("\n");
}
