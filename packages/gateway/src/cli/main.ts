#!/usr/bin/env node
import { ConfigError } from "../config/config.js";
import { GatewayError } from "../errors/catalog.js";
import { type CliIo, UsageError } from "./args.js";

const HELP = `Usage: meshapi <command> [options]

MeshAPI: one OpenAI-compatible endpoint in front of many LLM providers.

Commands:
  serve     start the gateway
  keys        create, update, list, revoke, suspend and activate API keys (with limits)
  usage       sum recorded usage by model, key, session or day
  templates   list, show, create and delete prompt templates

Run "meshapi <command> --help" for a command's options.`;

type Command = (args: string[], io: CliIo) => Promise<number>;

/** Loaded on demand: `keys list` should not pay for importing the HTTP server. */
const COMMANDS: Readonly<Record<string, () => Promise<Command>>> = {
  serve: async () => (await import("./serve.js")).serve,
  keys: async () => (await import("./keys.js")).keys,
  usage: async () => (await import("./usage.js")).usage,
  templates: async () => (await import("./templates.js")).templates,
};

export async function main(argv: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === "--help" || command === "-h" || command === "help") {
    io.out(HELP);
    return command === undefined ? 2 : 0;
  }
  const load = COMMANDS[command];
  try {
    if (!load) throw new UsageError(`unknown command "${command}" (try: meshapi --help)`);
    return await (await load())(rest, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`meshapi: ${err.message}`);
      return 2;
    }
    if (err instanceof ConfigError || err instanceof GatewayError) {
      io.err(`meshapi: ${err.message}`);
      return 1;
    }
    io.err(`meshapi: ${(err as Error).message ?? String(err)}`);
    return 1;
  }
}

const io: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  env: process.env,
};
main(process.argv.slice(2), io).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`meshapi: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  },
);
