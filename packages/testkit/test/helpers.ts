/** Shared test helpers: a simulator per suite and official-SDK clients pointed at it. */
import OpenAI from "openai";
import { startSimulator } from "../src/index.js";
import type { Simulator, SimulatorOptions } from "../src/types.js";

export const MODEL = "gpt-4o-mini";

export function openaiClient(sim: Simulator, apiKey = "sk-test"): OpenAI {
  // No retries: a test that expects an error must see the first one.
  return new OpenAI({ baseURL: sim.openaiBaseUrl, apiKey, maxRetries: 0, logLevel: "off" });
}

export async function withSimulator(opts?: SimulatorOptions): Promise<Simulator> {
  return startSimulator(opts);
}

/** POSTs raw JSON (or raw text) with fetch, for cases the SDKs cannot express. */
export async function postRaw(
  url: string,
  body: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; json: unknown; text: string }> {
  const res = await fetch(url, {
    method: "POST",
    body,
    headers: { "content-type": "application/json", ...headers },
  });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = null;
  }
  return { status: res.status, headers: res.headers, json, text };
}

export const WEATHER_TOOL = {
  type: "function" as const,
  function: {
    name: "get_weather",
    description: "Current weather for a city",
    parameters: {
      type: "object",
      properties: { city: { type: "string" }, days: { type: "integer" }, metric: { type: "boolean" } },
      required: ["city", "days", "metric"],
    },
  },
};

export const TIME_TOOL = {
  type: "function" as const,
  function: {
    name: "get_time",
    parameters: { type: "object", properties: { zone: { type: "string" } }, required: ["zone"] },
  },
};
