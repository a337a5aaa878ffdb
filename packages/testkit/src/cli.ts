#!/usr/bin/env node
/**
 * `meshapi-sim`: runs the provider simulator standalone (for manual testing and benchmarks).
 * Prints exactly one stdout line, `Simulator listening on http://HOST:PORT`, once ready.
 */
import { parseArgs } from "node:util";
import { startSimulator } from "./server.js";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "0" },
    host: { type: "string", default: "127.0.0.1" },
    "api-key": { type: "string" },
    "no-record": { type: "boolean", default: false },
    help: { type: "boolean", default: false },
  },
});

if (values.help) {
  process.stdout.write(
    "Usage: meshapi-sim [--port 0] [--host 127.0.0.1] [--api-key KEY] [--no-record]\n" +
      "Serves the OpenAI, Anthropic and Gemini wire formats until SIGTERM/SIGINT.\n",
  );
  process.exit(0);
}

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  process.stderr.write(`meshapi-sim: invalid --port ${values.port}\n`);
  process.exit(2);
}

const sim = await startSimulator({
  port,
  host: values.host,
  apiKey: values["api-key"],
  record: !values["no-record"],
});
process.stdout.write(`Simulator listening on ${sim.url}\n`);

const shutdown = (): void => {
  sim.close().then(() => process.exit(0));
};
process.once("SIGTERM", shutdown);
process.once("SIGINT", shutdown);
