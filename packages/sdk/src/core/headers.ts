import { VERSION } from "../version.js";
import type { HeadersInput } from "./config.js";

/** Name and value of the header that tells the gateway which client sent a request. */
export const SDK_HEADER = "x-meshapi-sdk";
export const SDK_HEADER_VALUE = `meshapi-node-sdk/${VERSION}`;

export interface HeaderLayers {
  token: string;
  hasBody: boolean;
  streaming: boolean;
  clientHeaders: HeadersInput;
  callHeaders: HeadersInput | undefined;
}

/**
 * Request headers: SDK defaults, then the client's `defaultHeaders`, then the call's `headers`.
 * Names are lower-cased so layers override each other regardless of spelling; `null` deletes.
 */
export function buildHeaders(layers: HeaderLayers): Record<string, string> {
  const headers: Record<string, string> = {
    authorization: `Bearer ${layers.token}`,
    accept: layers.streaming ? "text/event-stream" : "application/json",
    [SDK_HEADER]: SDK_HEADER_VALUE,
  };
  if (layers.hasBody) headers["content-type"] = "application/json";
  applyLayer(headers, layers.clientHeaders);
  if (layers.callHeaders) applyLayer(headers, layers.callHeaders);
  return headers;
}

function applyLayer(target: Record<string, string>, layer: HeadersInput): void {
  for (const [name, value] of Object.entries(layer)) {
    const key = name.toLowerCase();
    if (value === null) delete target[key];
    else if (value !== undefined) target[key] = value;
  }
}
