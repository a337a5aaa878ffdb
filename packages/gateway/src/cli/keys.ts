import { MAX_CACHE_TTL_SECONDS } from "../cache/cache-config.js";
import { loadConfig } from "../config/config.js";
import { CACHE_NAMESPACE, describeCache } from "../keys/key-cache-settings.js";
import { KeyService, toKeyView } from "../keys/key-service.js";
import { MAX_MODEL_PATTERNS, parseModelList, patternProblem } from "../routing/model-access.js";
import { openStore } from "../store/open-store.js";
import type { KeyCacheSettings, KeyLimits, KeyStatus } from "../store/types.js";
import { type CliIo, DATA_DIR_OPTION, parse, UsageError } from "./args.js";

export const KEYS_HELP = `Usage: meshapi keys <command> [options]

Manage API keys, directly in the store (works with or without a running server).

Commands:
  create --name NAME [LIMITS] [CACHE] [--json]   create a key and print it (shown only this once)
  update ID [--name NAME] [LIMITS] [CACHE]       change a key's name, limits or cache ("none" removes one)
  list [--json]                          list keys (never their secrets)
  revoke ID                              revoke a key for good
  suspend ID                             block a key until it is activated again
  activate ID                            unblock a suspended key

Limits:
  --rpm N                  requests in any 60 s window
  --rpd N                  requests in any 24 h window
  --tpm N                  tokens (prompt + completion) in any 60 s window
  --max-concurrent N       requests in flight at once
  --spend-cap-usd X        spend cap in USD (402 once reached)
  --spend-period P         what the cap counts: total (default) or month (calendar month, UTC)
  --models LIST            models the key may use, comma-separated patterns: 'openai/*,anthropic/claude-sonnet-4.5'
                           ("all" allows every model again; the default)

Response cache:
  --cache-ttl N            cache this key's answers for N seconds ("none": only requests with cache.ttl)
  --cache-namespace NAME   share cached answers with the keys of the same namespace ("none": own only)

Options:
  --data-dir DIR    embedded store location (default .meshapi); MESHAPI_DATABASE_URL selects PostgreSQL
  -h, --help        show this help`;

const LIMIT_OPTIONS = {
  rpm: { type: "string" },
  rpd: { type: "string" },
  tpm: { type: "string" },
  "max-concurrent": { type: "string" },
  "spend-cap-usd": { type: "string" },
  "spend-period": { type: "string" },
  models: { type: "string" },
  "cache-ttl": { type: "string" },
  "cache-namespace": { type: "string" },
} as const;

type LimitValues = Partial<Record<keyof typeof LIMIT_OPTIONS, string | undefined>>;

const CLEAR = new Set(["none", "off", "unlimited"]);

function countOption(value: string | undefined, name: string): number | null | undefined {
  if (value === undefined) return undefined;
  if (CLEAR.has(value)) return null;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 1_000_000_000)
    throw new UsageError(`--${name} must be a positive integer (or "none")`);
  return n;
}

/** The limits named on the command line; options not given stay undefined (unchanged). */
export function limitsFromOptions(values: LimitValues): Partial<KeyLimits> {
  const limits: Partial<KeyLimits> = {};
  const set = <K extends keyof KeyLimits>(k: K, v: KeyLimits[K] | undefined) => {
    if (v !== undefined) limits[k] = v;
  };
  set("rpm", countOption(values.rpm, "rpm"));
  set("rpd", countOption(values.rpd, "rpd"));
  set("tpm", countOption(values.tpm, "tpm"));
  set("maxConcurrent", countOption(values["max-concurrent"], "max-concurrent"));
  const cap = values["spend-cap-usd"];
  if (cap !== undefined) {
    const usd = CLEAR.has(cap) ? null : Number(cap);
    if (usd !== null && (!Number.isFinite(usd) || usd < 0 || cap.trim() === ""))
      throw new UsageError('--spend-cap-usd must be a non-negative number of USD (or "none")');
    limits.spendCapUsd = usd;
  }
  const period = values["spend-period"];
  if (period !== undefined) {
    if (period !== "total" && period !== "month")
      throw new UsageError("--spend-period must be total or month");
    limits.spendPeriod = period;
  }
  return limits;
}

/** The cache settings named on the command line; options not given stay undefined (unchanged). */
export function cacheFromOptions(values: LimitValues): Partial<KeyCacheSettings> {
  const cache: Partial<KeyCacheSettings> = {};
  const ttl = values["cache-ttl"];
  if (ttl !== undefined) {
    const n = CLEAR.has(ttl) ? null : Number(ttl);
    if (n !== null && (!Number.isInteger(n) || n < 1 || n > MAX_CACHE_TTL_SECONDS))
      throw new UsageError(`--cache-ttl must be 1-${MAX_CACHE_TTL_SECONDS} seconds (or "none")`);
    cache.ttlSeconds = n;
  }
  const namespace = values["cache-namespace"];
  if (namespace !== undefined) {
    if (!CLEAR.has(namespace) && !CACHE_NAMESPACE.test(namespace))
      throw new UsageError("--cache-namespace takes 1-64 characters of A-Z, a-z, 0-9, '.', '_' or '-'");
    cache.namespace = CLEAR.has(namespace) ? null : namespace;
  }
  return cache;
}

function describeLimits(l: KeyLimits): string {
  const parts: string[] = [];
  if (l.rpm !== null) parts.push(`rpm ${l.rpm}`);
  if (l.rpd !== null) parts.push(`rpd ${l.rpd}`);
  if (l.tpm !== null) parts.push(`tpm ${l.tpm}`);
  if (l.maxConcurrent !== null) parts.push(`max-concurrent ${l.maxConcurrent}`);
  if (l.spendCapUsd !== null) parts.push(`cap $${l.spendCapUsd} (${l.spendPeriod})`);
  return parts.length > 0 ? parts.join(", ") : "no limits";
}

function describeModels(models: readonly string[] | null): string {
  return models === null ? "every model" : `models ${models.join(", ")}`;
}

/** `--models`: undefined when absent (unchanged), null for every model, else the checked patterns. */
export function modelsFromOption(value: string | undefined): string[] | null | undefined {
  if (value === undefined) return undefined;
  const list = parseModelList(value);
  if (list === null) return null;
  if (list.length > MAX_MODEL_PATTERNS)
    throw new UsageError(`--models takes at most ${MAX_MODEL_PATTERNS} patterns`);
  for (const pattern of list) {
    const problem = patternProblem(pattern);
    if (problem) throw new UsageError(`--models: ${problem}`);
  }
  return list;
}

const STATUS_BY_COMMAND: Readonly<Record<string, KeyStatus>> = {
  revoke: "revoked",
  suspend: "suspended",
  activate: "active",
};

export async function keys(args: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = args;
  if (command === undefined || command === "--help" || command === "-h" || command === "help") {
    io.out(KEYS_HELP);
    return command === undefined ? 2 : 0;
  }
  const options = {
    ...DATA_DIR_OPTION,
    ...LIMIT_OPTIONS,
    json: { type: "boolean" },
    name: { type: "string" },
  } as const;
  const takesId = command in STATUS_BY_COMMAND || command === "update";
  const { values, positionals } = parse(rest, options, takesId ? 1 : 0);
  if (values.help) {
    io.out(KEYS_HELP);
    return 0;
  }
  if (!["create", "update", "list", ...Object.keys(STATUS_BY_COMMAND)].includes(command)) {
    throw new UsageError(
      `unknown keys command "${command}" (create, update, list, revoke, suspend, activate)`,
    );
  }
  const limits = limitsFromOptions(values);
  const allowedModels = modelsFromOption(values.models);
  const access = allowedModels === undefined ? {} : { allowedModels };
  const cache = cacheFromOptions(values);
  const config = loadConfig({
    env: io.env,
    overrides: values["data-dir"] ? { dataDir: values["data-dir"] } : {},
  });
  const store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  const service = new KeyService(store);
  try {
    if (command === "create") {
      const name = values.name?.trim();
      if (!name) throw new UsageError("keys create needs --name NAME");
      const { record, key } = await service.create(name, limits, {
        allowedModels: allowedModels ?? null,
        cache,
      });
      if (values.json) io.out(JSON.stringify({ ...toKeyView(record), key }));
      else
        io.out(
          `Created ${record.id} (${record.name}; ${describeLimits(record.limits)}; ${describeModels(record.allowedModels)}; ${describeCache(record.cache)}). It is shown only this once:\n${key}`,
        );
      return 0;
    }
    if (command === "list") {
      const list = (await service.list()).map(toKeyView);
      if (values.json) io.out(JSON.stringify(list));
      else if (list.length === 0) io.out("No keys. Create one with: meshapi keys create --name NAME");
      else {
        io.out(["ID", "NAME", "STATUS", "PREFIX", "CREATED"].join("\t"));
        for (const k of list)
          io.out([k.id, k.name, k.status, `${k.display_prefix}…`, k.created_at].join("\t"));
      }
      return 0;
    }
    const id = positionals[0];
    if (!id) throw new UsageError(`keys ${command} needs a key id (see: meshapi keys list)`);
    if (command === "update") {
      const name = values.name?.trim();
      if (values.name !== undefined && !name) throw new UsageError("--name must not be empty");
      const nothing =
        name === undefined &&
        Object.keys(limits).length === 0 &&
        allowedModels === undefined &&
        Object.keys(cache).length === 0;
      if (nothing)
        throw new UsageError(
          "keys update needs --name, --models, a limit or a cache option (see: meshapi keys --help)",
        );
      const record = await service.update(id, { ...(name ? { name } : {}), limits, ...access, cache });
      if (values.json) io.out(JSON.stringify(toKeyView(record)));
      else
        io.out(
          `${record.id} (${record.name}): ${describeLimits(record.limits)}; ${describeModels(record.allowedModels)}; ${describeCache(record.cache)}.`,
        );
      return 0;
    }
    const record = await service.update(id, { status: STATUS_BY_COMMAND[command] as KeyStatus });
    if (values.json) io.out(JSON.stringify(toKeyView(record)));
    else io.out(`${record.id} is now ${record.status}.`);
    return 0;
  } finally {
    await store.close();
  }
}
