import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type SimulatorOptions, startSimulator } from "@meshapi/testkit";
import OpenAI from "openai";
import { type Harness, startHarness } from "../helpers/harness.js";

/** Provider keys the gateway under test sends to the simulator. */
export const VENDOR_KEYS = { anthropic: "sim-anthropic-key", gemini: "sim-gemini-key" } as const;

export interface VendorHarness {
  h: Harness;
  client: OpenAI;
  close(): Promise<void>;
}

/** A gateway whose `anthropic` and `google` providers point at a fresh simulator. */
export async function startVendorHarness(
  env: Record<string, string> = {},
  simulator: SimulatorOptions = {},
): Promise<VendorHarness> {
  const sim = await startSimulator(simulator);
  const h = await startHarness({
    sim,
    env: {
      ANTHROPIC_API_KEY: VENDOR_KEYS.anthropic,
      ANTHROPIC_BASE_URL: sim.url,
      GEMINI_API_KEY: VENDOR_KEYS.gemini,
      GEMINI_BASE_URL: sim.url,
      // These suites map one vendor answer at a time; retries have their own tests (routing/).
      MESHAPI_RETRIES: "0",
      ...env,
    },
  });
  return {
    h,
    client: new OpenAI({ baseURL: `${h.url}/v1`, apiKey: h.key, maxRetries: 0 }),
    async close() {
      await h.close();
      await sim.close();
    },
  };
}

export const weatherTool: OpenAI.Chat.Completions.ChatCompletionFunctionTool = {
  type: "function",
  function: {
    name: "get_weather",
    description: "Current weather for a city",
    parameters: {
      $schema: "http://json-schema.org/draft-07/schema#",
      type: "object",
      properties: {
        city: { type: "string", description: "City name" },
        unit: { type: ["string", "null"], enum: ["C", "F", null] },
      },
      required: ["city"],
      additionalProperties: false,
    },
  },
};

export const timeTool: OpenAI.Chat.Completions.ChatCompletionFunctionTool = {
  type: "function",
  function: {
    name: "get_time",
    parameters: {
      type: "object",
      properties: { zone: { type: "string", default: "UTC" } },
      required: ["zone"],
    },
  },
};

/** 1×1 transparent PNG. */
export const PNG_BASE64 =
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

/** A local HTTP server that serves a PNG at /cat.png, text at /page.txt and redirects /moved → /cat.png. */
export async function startImageServer(): Promise<{
  url: string;
  hits: () => number;
  close: () => Promise<void>;
}> {
  let hits = 0;
  const server: Server = createServer((req, res) => {
    hits++;
    if (req.url === "/cat.png") {
      res.writeHead(200, { "content-type": "image/png" });
      res.end(Buffer.from(PNG_BASE64, "base64"));
    } else if (req.url === "/moved") {
      res.writeHead(302, { location: "/cat.png" });
      res.end();
    } else if (req.url === "/page.txt") {
      res.writeHead(200, { "content-type": "text/plain" });
      res.end("not an image");
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hits: () => hits,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The error the official client threw, with the gateway's envelope. */
export async function apiError(promise: Promise<unknown>): Promise<InstanceType<typeof OpenAI.APIError>> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof OpenAI.APIError) return err;
    throw err;
  }
  throw new Error("expected the call to fail");
}
