import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

/**
 * A gateway without an OTLP endpoint must not load OpenTelemetry at all. A fresh Node process, with a
 * module-resolution hook that reports every `@opentelemetry/*` import, starts and stops a gateway.
 */
const app = fileURLToPath(new URL("../../dist/app.js", import.meta.url));
const config = fileURLToPath(new URL("../../dist/config/config.js", import.meta.url));
const built = existsSync(app);
if (!built) console.warn(`skipping the lazy-loading test: ${app} is missing (run npm run build)`);

const HOOKS = `
let port;
export function initialize(data) { port = data.port; }
export async function resolve(specifier, context, next) {
  if (specifier.startsWith("@opentelemetry/")) port.postMessage(specifier);
  return next(specifier, context);
}`;

const SCRIPT = `
import { register } from "node:module";
import { MessageChannel } from "node:worker_threads";
const seen = new Set();
const { port1, port2 } = new MessageChannel();
port1.on("message", (s) => seen.add(s));
port1.unref();
register("data:text/javascript," + encodeURIComponent(${JSON.stringify(HOOKS)}), {
  data: { port: port2 },
  transferList: [port2],
});
const { createGateway } = await import(${JSON.stringify(app)});
const { loadConfig } = await import(${JSON.stringify(config)});
const pino = (await import("pino")).default;
const gateway = await createGateway(
  loadConfig({ env: process.env, overrides: { port: 0, host: "127.0.0.1", dataDir: process.env.DIR } }),
  { log: pino({ level: "silent" }) },
);
await gateway.stop();
await new Promise((r) => setTimeout(r, 100)); // let the hook thread's last messages arrive
process.stdout.write(JSON.stringify([...seen]));
`;

function openTelemetryImports(env: Record<string, string>): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--input-type=module", "-e", SCRIPT], {
      cwd: fileURLToPath(new URL("../..", import.meta.url)),
      env: { PATH: process.env.PATH ?? "", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    child.stderr.on("data", (d) => {
      err += d;
    });
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) reject(new Error(`exit ${code}: ${err}`));
      else resolve(JSON.parse(out) as string[]);
    });
  });
}

describe.skipIf(!built)("OpenTelemetry is loaded only when tracing is on", () => {
  const dirs: string[] = [];
  const dir = () => {
    const d = mkdtempSync(join(tmpdir(), "meshapi-lazy-"));
    dirs.push(d);
    return d;
  };
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it("without OTEL_EXPORTER_OTLP_ENDPOINT no @opentelemetry module is imported", async () => {
    expect(await openTelemetryImports({ DIR: dir() })).toEqual([]);
  });

  it("with it, the SDK and the OTLP exporter are", async () => {
    // Nothing is traced in this run, so nothing is sent to the (closed) port.
    const seen = await openTelemetryImports({
      DIR: dir(),
      OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:9",
    });
    expect(seen).toEqual(
      expect.arrayContaining(["@opentelemetry/sdk-trace-base", "@opentelemetry/exporter-trace-otlp-http"]),
    );
  });
});
