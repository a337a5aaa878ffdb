import { createGateway, unconfiguredHint } from "../app.js";
import { loadConfig } from "../config/config.js";
import { KeyService } from "../keys/key-service.js";
import { describeStore } from "../store/open-store.js";
import { type CliIo, DATA_DIR_OPTION, intOption, parse } from "./args.js";

export const SERVE_HELP = `Usage: meshapi serve [options]

Start the gateway.

Options:
  --port N          port to listen on (default 8787; 0 picks a free port)
  --host HOST       address to bind (default 127.0.0.1)
  --data-dir DIR    where the embedded SQLite store lives (default .meshapi)
  --config FILE     JSON config file (providers, prices, timeouts); default $MESHAPI_CONFIG
  -h, --help        show this help

Provider credentials come from <NAME>_API_KEY / <NAME>_BASE_URL variables (OPENAI_API_KEY, …).
MESHAPI_DATABASE_URL=postgres://… selects PostgreSQL instead of SQLite.`;

export async function serve(args: string[], io: CliIo): Promise<number> {
  const { values } = parse(args, {
    port: { type: "string" },
    host: { type: "string" },
    config: { type: "string" },
    ...DATA_DIR_OPTION,
  });
  if (values.help) {
    io.out(SERVE_HELP);
    return 0;
  }
  const config = loadConfig({
    env: io.env,
    configPath: values.config ?? (io.env.MESHAPI_CONFIG || undefined),
    overrides: {
      ...(values.port === undefined ? {} : { port: intOption(values.port, "port", 0, 65535) }),
      ...(values.host === undefined ? {} : { host: values.host }),
      ...(values["data-dir"] === undefined ? {} : { dataDir: values["data-dir"] }),
    },
  });
  const gateway = await createGateway(config);
  const hint = unconfiguredHint(config);
  if (hint) io.err(`warning: ${hint}`);

  const url = await gateway.listen();
  const firstKey = await createFirstKey(new KeyService(gateway.store));
  if (firstKey) {
    gateway.keys.remember(firstKey.record);
    io.err(
      [
        "",
        `No API keys existed in ${describeStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir })}, so one was created.`,
        `It is shown only this once:  ${firstKey.key}`,
        "",
        "Try it:",
        `  curl ${url}/v1/chat/completions \\`,
        `    -H "Authorization: Bearer ${firstKey.key}" -H "Content-Type: application/json" \\`,
        `    -d '{"model":"${config.defaultModel}","messages":[{"role":"user","content":"Hello!"}]}'`,
        "",
      ].join("\n"),
    );
  }
  io.out(`MeshAPI listening on ${url}`);

  await new Promise<void>((resolve) => {
    let signals = 0;
    const onSignal = (signal: NodeJS.Signals) => {
      if (++signals > 1) {
        io.err(`received ${signal} again; exiting now`);
        process.exit(1);
      }
      io.err(`received ${signal}; finishing in-flight requests (up to ${config.shutdownGraceMs} ms)`);
      gateway.stop().then(resolve, (err) => {
        io.err(`shutdown failed: ${(err as Error).message}`);
        resolve();
      });
    };
    process.on("SIGTERM", onSignal);
    process.on("SIGINT", onSignal);
  });
  return 0;
}

async function createFirstKey(keys: KeyService) {
  if ((await keys.list()).length > 0) return undefined;
  return keys.create("default");
}
