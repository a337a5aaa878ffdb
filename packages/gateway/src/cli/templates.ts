import { readFileSync } from "node:fs";
import { loadConfig } from "../config/config.js";
import { GatewayError } from "../errors/catalog.js";
import { openStore } from "../store/open-store.js";
import { createTemplateBody } from "../templates/template-schema.js";
import { TemplateService, toTemplateView } from "../templates/template-service.js";
import { type CliIo, DATA_DIR_OPTION, parse, UsageError } from "./args.js";

export const TEMPLATES_HELP = `Usage: meshapi templates <command> --key KEY_ID [options]

Manage a key's prompt templates, directly in the store. Templates belong to a key (its id, key_…).

Commands:
  list                        list the key's templates
  show ID|NAME                print one template as JSON
  create --name NAME [--system TEXT] [--model M] [--description D] [--file FILE]
                              create a template; FILE is a JSON body as POST /v1/templates takes it
                              (name, description, system, messages, model, params, variables)
  delete ID|NAME              delete a template

Options:
  --key ID          the owning key's id (required)
  --json            print JSON
  --data-dir DIR    embedded store location (default .meshapi); MESHAPI_DATABASE_URL selects PostgreSQL
  -h, --help        show this help`;

const COMMANDS = ["list", "show", "create", "delete"];

export async function templates(args: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = args;
  if (command === undefined || command === "--help" || command === "-h" || command === "help") {
    io.out(TEMPLATES_HELP);
    return command === undefined ? 2 : 0;
  }
  const { values, positionals } = parse(
    rest,
    {
      ...DATA_DIR_OPTION,
      key: { type: "string" },
      name: { type: "string" },
      system: { type: "string" },
      model: { type: "string" },
      description: { type: "string" },
      file: { type: "string" },
      json: { type: "boolean" },
    },
    command === "show" || command === "delete" ? 1 : 0,
  );
  if (values.help) {
    io.out(TEMPLATES_HELP);
    return 0;
  }
  if (!COMMANDS.includes(command))
    throw new UsageError(`unknown templates command "${command}" (${COMMANDS.join(", ")})`);
  const owner = values.key;
  if (!owner) throw new UsageError("templates needs --key KEY_ID (see: meshapi keys list)");
  const target = positionals[0];
  if ((command === "show" || command === "delete") && !target)
    throw new UsageError(`templates ${command} needs a template id or name`);

  const config = loadConfig({
    env: io.env,
    overrides: values["data-dir"] ? { dataDir: values["data-dir"] } : {},
  });
  const store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  const service = new TemplateService(store);
  try {
    if (!(await store.getKey(owner))) throw new GatewayError("not_found", `No key with id "${owner}".`);
    if (command === "list") {
      const list = (await service.list(owner)).map(toTemplateView);
      if (values.json) io.out(JSON.stringify(list));
      else if (list.length === 0) io.out("No templates.");
      else {
        io.out(["ID", "NAME", "MODEL", "UPDATED"].join("\t"));
        for (const t of list) io.out([t.id, t.name, t.model ?? "-", t.updated_at].join("\t"));
      }
      return 0;
    }
    if (command === "show") {
      io.out(
        JSON.stringify(toTemplateView(await service.get(owner, target as string)), null, values.json ? 0 : 2),
      );
      return 0;
    }
    if (command === "delete") {
      const removed = await service.remove(owner, target as string);
      io.out(
        values.json
          ? JSON.stringify({ id: removed.id, deleted: true })
          : `Deleted ${removed.id} (${removed.name}).`,
      );
      return 0;
    }
    const body = parseCreateBody(values);
    const record = await service.create(owner, body);
    io.out(values.json ? JSON.stringify(toTemplateView(record)) : `Created ${record.id} (${record.name}).`);
    return 0;
  } finally {
    await store.close();
  }
}

function parseCreateBody(values: Record<string, string | boolean | undefined>) {
  let base: Record<string, unknown> = {};
  if (typeof values.file === "string") {
    try {
      base = JSON.parse(readFileSync(values.file, "utf8")) as Record<string, unknown>;
    } catch (err) {
      throw new UsageError(`--file: ${(err as Error).message}`);
    }
  }
  for (const field of ["name", "system", "model", "description"] as const) {
    if (typeof values[field] === "string") base[field] = values[field];
  }
  const parsed = createTemplateBody.safeParse(base);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UsageError(`invalid template: ${issue?.path.join(".") || "body"}: ${issue?.message}`);
  }
  return parsed.data;
}
