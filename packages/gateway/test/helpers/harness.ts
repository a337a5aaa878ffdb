import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Simulator, startSimulator } from "@meshapi/testkit";
import pino, { type Logger } from "pino";
import { createGateway, type Gateway } from "../../src/app.js";
import { loadConfig } from "../../src/config/config.js";
import { KeyService } from "../../src/keys/key-service.js";

export interface Harness {
  sim: Simulator;
  gateway: Gateway;
  url: string;
  /** An active key. */
  key: string;
  keys: KeyService;
  dataDir: string;
  /** Creates a key (limits optional) that the gateway knows at once, and returns its secret. */
  newKey(name: string, limits?: Parameters<KeyService["create"]>[1]): Promise<string>;
  /** POSTs a chat request as the harness's key, or as `init.key`. */
  chat(
    body: unknown,
    init?: { headers?: Record<string, string>; signal?: AbortSignal; key?: string },
  ): Promise<Response>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  env?: Record<string, string>;
  configPath?: string;
  /** Reuse a simulator (e.g. one shared by a file). */
  sim?: Simulator;
  /** The gateway's logger; silent by default. */
  log?: Logger;
  /** The dashboard's folder (see GatewayOptions.uiDir). */
  uiDir?: string | null;
  /** The response cache's clock (Unix ms). */
  cacheClock?: () => number;
}

/** A real gateway on an ephemeral port, with real SQLite, in front of a real simulator. */
export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const sim = options.sim ?? (await startSimulator());
  const dataDir = mkdtempSync(join(tmpdir(), "meshapi-test-"));
  const config = loadConfig({
    env: {
      OPENAI_API_KEY: "sim-openai-key",
      OPENAI_BASE_URL: sim.openaiBaseUrl,
      ...options.env,
    },
    configPath: options.configPath,
    overrides: { port: 0, host: "127.0.0.1", dataDir },
  });
  const gateway = await createGateway(config, {
    log: options.log ?? pino({ level: "silent" }),
    ...(options.uiDir === undefined ? {} : { uiDir: options.uiDir }),
    ...(options.cacheClock ? { cacheClock: options.cacheClock } : {}),
  });
  const url = await gateway.listen();
  const keys = new KeyService(gateway.store);
  const { record, key } = await keys.create("test");
  gateway.keys.remember(record);
  return {
    sim,
    gateway,
    url,
    key,
    keys,
    dataDir,
    async newKey(name, limits) {
      const created = await keys.create(name, limits);
      gateway.keys.remember(created.record);
      return created.key;
    },
    chat(body, init = {}) {
      return fetch(`${url}/v1/chat/completions`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${init.key ?? key}`,
          "content-type": "application/json",
          ...init.headers,
        },
        body: typeof body === "string" ? body : JSON.stringify(body),
        ...(init.signal ? { signal: init.signal } : {}),
      });
    },
    async close() {
      await gateway.stop();
      if (!options.sim) await sim.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Reads an SSE response into its `data:` payloads (JSON-parsed, except the `[DONE]` marker). */
export async function readEvents(res: Response): Promise<unknown[]> {
  const text = await res.text();
  return text
    .split("\n\n")
    .filter((block) => block.startsWith("data: "))
    .map((block) => block.slice(6))
    .map((data) => (data === "[DONE]" ? "[DONE]" : JSON.parse(data)));
}

export const ask = (text: string, extra: Record<string, unknown> = {}) => ({
  model: "openai/gpt-4o-mini",
  messages: [{ role: "user", content: text }],
  ...extra,
});
