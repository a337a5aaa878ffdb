import { loadConfig } from "../config/config.js";
import { KeyService, toKeyView } from "../keys/key-service.js";
import { openStore } from "../store/open-store.js";
import type { KeyStatus } from "../store/types.js";
import { type CliIo, DATA_DIR_OPTION, parse, UsageError } from "./args.js";

export const KEYS_HELP = `Usage: meshapi keys <command> [options]

Manage API keys, directly in the store (works with or without a running server).

Commands:
  create --name NAME [--json]   create a key and print it (shown only this once)
  list [--json]                 list keys (never their secrets)
  revoke ID                     revoke a key for good
  suspend ID                    block a key until it is activated again
  activate ID                   unblock a suspended key

Options:
  --data-dir DIR    embedded store location (default .meshapi); MESHAPI_DATABASE_URL selects PostgreSQL
  -h, --help        show this help`;

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
  const options = { ...DATA_DIR_OPTION, json: { type: "boolean" }, name: { type: "string" } } as const;
  const { values, positionals } = parse(rest, options, command in STATUS_BY_COMMAND ? 1 : 0);
  if (values.help) {
    io.out(KEYS_HELP);
    return 0;
  }
  if (!["create", "list", ...Object.keys(STATUS_BY_COMMAND)].includes(command)) {
    throw new UsageError(`unknown keys command "${command}" (create, list, revoke, suspend, activate)`);
  }
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
      const { record, key } = await service.create(name);
      if (values.json) io.out(JSON.stringify({ ...toKeyView(record), key }));
      else io.out(`Created ${record.id} (${record.name}). It is shown only this once:\n${key}`);
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
    const record = await service.update(id, { status: STATUS_BY_COMMAND[command] as KeyStatus });
    if (values.json) io.out(JSON.stringify(toKeyView(record)));
    else io.out(`${record.id} is now ${record.status}.`);
    return 0;
  } finally {
    await store.close();
  }
}
