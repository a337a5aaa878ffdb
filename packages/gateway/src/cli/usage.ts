import { loadConfig } from "../config/config.js";
import { openStore } from "../store/open-store.js";
import { GROUP_FIELD, toUsageQuery, toUsageReport, type UsageRowView } from "../usage/usage-report.js";
import { type CliIo, DATA_DIR_OPTION, parse, UsageError } from "./args.js";

export const USAGE_HELP = `Usage: meshapi usage [options]

Sum recorded usage (requests, tokens, cost), read directly from the store.

Options:
  --since T         from T: 30m, 24h, 7d, 2w, an ISO date (2026-11-01) or Unix seconds
  --until T         up to T (same forms)
  --by G            group by model, key, session or day
  --model M         only this model (provider/model)
  --session S       only this session_id
  --key ID          only this key (key_…)
  --json            print JSON (the shape of GET /admin/usage)
  --data-dir DIR    embedded store location (default .meshapi); MESHAPI_DATABASE_URL selects PostgreSQL
  -h, --help        show this help`;

const BY: Readonly<Record<string, string>> = {
  model: "model",
  key: "key",
  session: "session_id",
  day: "day",
};

export async function usage(args: string[], io: CliIo): Promise<number> {
  const { values } = parse(args, {
    ...DATA_DIR_OPTION,
    since: { type: "string" },
    until: { type: "string" },
    by: { type: "string" },
    model: { type: "string" },
    session: { type: "string" },
    key: { type: "string" },
    json: { type: "boolean" },
  });
  if (values.help) {
    io.out(USAGE_HELP);
    return 0;
  }
  if (values.by !== undefined && !(values.by in BY))
    throw new UsageError("--by must be model, key, session or day");
  let query: ReturnType<typeof toUsageQuery>;
  try {
    query = toUsageQuery(
      {
        since: values.since,
        until: values.until,
        group_by: values.by === undefined ? undefined : BY[values.by],
        model: values.model,
        session_id: values.session,
        key_id: values.key,
      },
      Date.now(),
      "option",
    );
  } catch {
    throw new UsageError("--since/--until take 30m, 24h, 7d, 2w, an ISO date or Unix seconds");
  }
  const config = loadConfig({
    env: io.env,
    overrides: values["data-dir"] ? { dataDir: values["data-dir"] } : {},
  });
  const store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    const report = toUsageReport(query, await store.queryUsage(query));
    if (values.json) {
      io.out(JSON.stringify(report));
      return 0;
    }
    const groupField = query.groupBy ? GROUP_FIELD[query.groupBy] : undefined;
    const header = [
      groupField?.toUpperCase(),
      "REQUESTS",
      "PROMPT",
      "COMPLETION",
      "TOTAL",
      "COST_USD",
      "CACHE_HITS",
    ];
    const line = (label: string | undefined, r: UsageRowView) =>
      [
        label,
        r.requests,
        r.prompt_tokens,
        r.completion_tokens,
        r.total_tokens,
        r.cost_usd.toFixed(6),
        r.cache_hits,
      ]
        .filter((v) => v !== undefined)
        .join("\t");
    io.out(header.filter((h) => h !== undefined).join("\t"));
    if (groupField) for (const row of report.data) io.out(line(String(row[groupField] ?? "-"), row));
    io.out(line(groupField ? "TOTAL" : undefined, report.total));
    return 0;
  } finally {
    await store.close();
  }
}
