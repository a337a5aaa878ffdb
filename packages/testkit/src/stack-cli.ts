#!/usr/bin/env node
/**
 * Starts the test stack for other languages' test suites (the Python SDK's pytest fixtures).
 * Prints ONE JSON line `{"gateway_url","token","simulator_url"}` on stdout, then runs until
 * stdin closes or SIGTERM/SIGINT arrives, and then stops everything.
 *
 * Arguments after the script are extra `serve` arguments. `--no-stdin` ignores stdin (for
 * callers that cannot keep a pipe open; stop it with SIGTERM then).
 */
import { startStack } from "./stack.js";

const argv = process.argv.slice(2);
const watchStdin = !argv.includes("--no-stdin");
const serveArgs = argv.filter((arg) => arg !== "--no-stdin");

let stack: Awaited<ReturnType<typeof startStack>>;
try {
  stack = await startStack({ args: serveArgs });
} catch (error) {
  process.stderr.write(`meshapi stack-cli: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}

process.stdout.write(
  `${JSON.stringify({ gateway_url: stack.gatewayUrl, token: stack.token, simulator_url: stack.simulator.url })}\n`,
);

let stopping = false;
const shutdown = (): void => {
  if (stopping) return;
  stopping = true;
  stack.stop().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.once("SIGTERM", shutdown);
process.once("SIGINT", shutdown);
if (watchStdin) {
  process.stdin.on("end", shutdown);
  process.stdin.on("close", shutdown);
  process.stdin.resume();
}
// The stack dies with the gateway too: nothing left to serve.
stack.gateway.once("exit", shutdown);
